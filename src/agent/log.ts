/**
 * One log line per agent run: `key=value` text for people, or one JSON object for a log
 * shipper. Values may carry a target name or a server's words (an error message): they are
 * made printable first, so no escape sequence reaches the terminal or the log viewer.
 */
import { printableText } from '../printable.js';

export type LogFormat = 'text' | 'json';

export type LogEntry = Record<string, string | number | boolean | null>;

export function formatLogLine(entry: LogEntry, format: LogFormat): string {
  const clean = Object.entries(entry).map(
    ([key, value]) => [key, typeof value === 'string' ? printableText(value) : value] as const,
  );
  if (format === 'json') return JSON.stringify(Object.fromEntries(clean));
  return clean
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}=${quote(String(value))}`)
    .join(' ');
}

function quote(value: string): string {
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}
