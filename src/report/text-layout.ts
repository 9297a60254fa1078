/**
 * Terminal text that keeps its columns: widths measured in terminal cells (string-width, so a
 * CJK banner or an emoji in evidence counts as two), cells cut with "…" instead of pushing
 * the next column out of line, and prose wrapped (wrap-ansi) under a hanging indent.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** Lines of the terminal report are at most this wide. */
export const LINE_WIDTH = 100;

/** `text` cut to at most `width` cells, with "…" where it was cut. */
export function clip(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** `text` cut to `width` cells and padded to exactly `width`. */
export function cell(text: string, width: number): string {
  const fitted = clip(text, width);
  return fitted + ' '.repeat(Math.max(0, width - stringWidth(fitted)));
}

/** `text` wrapped to `width` columns, every line after `indent` spaces (long words broken). */
export function wrap(text: string, indent: number, width = LINE_WIDTH): string[] {
  const pad = ' '.repeat(indent);
  return wrapAnsi(text, Math.max(20, width - indent), { hard: true, trim: true })
    .split('\n')
    .map((line) => pad + line);
}
