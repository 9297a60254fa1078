/**
 * Untrusted text made safe to keep and to show: a reply's bytes on their way into evidence,
 * a target name echoed in an error. Control characters (C0, DEL, C1: NUL, BEL, ESC and the
 * single-byte CSI 0x9b that starts terminal escape sequences) and the bidirectional
 * overrides that reorder what a reader sees become visible `\xNN` / `\uNNNN` text, so no
 * report, JSON file or terminal receives them raw. Renderers still escape for their format.
 */

/** C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same set without the newline.
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` on one line with every unsafe character shown as an escape, cut to `max`
 * characters with an ellipsis (`…`) when longer.
 */
export function printableText(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(UNSAFE, visible);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** For a terminal: like `printableText`, but a message's own line breaks stay. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, visible);
}

/**
 * At most `max` items, for a list that becomes evidence: past that, the first `max` and
 * "and N more" (`what` names them: "and 3,880 more ports").
 */
export function boundedList(items: readonly string[], max: number, what = ''): string[] {
  if (items.length <= max) return [...items];
  const rest = items.length - max;
  return [...items.slice(0, max), `and ${rest.toLocaleString('en-US')} more${what ? ` ${what}` : ''}`];
}

/** `boundedList` joined for one evidence line: "a, b, c and 12 more". */
export function listText(items: readonly string[], max: number, what = ''): string {
  const shown = boundedList(items, max, what);
  if (shown.length <= max) return shown.join(', ');
  return `${shown.slice(0, max).join(', ')} ${shown[max]}`;
}
