/** One log line per agent run: `key=value` text for people, or one JSON object for a log shipper. */
export type LogFormat = 'text' | 'json';

export type LogEntry = Record<string, string | number | boolean | null>;

export function formatLogLine(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') return JSON.stringify(entry);
  return Object.entries(entry)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}=${quote(String(value))}`)
    .join(' ');
}

function quote(value: string): string {
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}
