/**
 * Output formats by name. Every renderer is a pure function of the JSON result; the exit
 * code is not theirs to decide (it is `result.summary.exitCode`).
 */
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';
import type { Format, Renderer } from './types.js';

export type { Format, Renderer, RenderOptions, ReportOmissions } from './types.js';

export const renderers: Record<Format, Renderer> = {
  table: renderTable,
  json: renderJson,
  junit: renderJunit,
  md: renderMarkdown,
  html: renderHtml,
};

export const FORMATS = Object.keys(renderers) as Format[];

/** File extension per format, for `--output-dir` and `latest.<ext>`. */
export const EXTENSIONS: Record<Format, string> = { table: 'txt', json: 'json', junit: 'xml', md: 'md', html: 'html' };

export function isFormat(value: string): value is Format {
  return Object.hasOwn(renderers, value);
}
