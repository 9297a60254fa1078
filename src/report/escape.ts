/**
 * Escaping for every output format. Anything that came from the network (evidence, banners,
 * certificate names) or from user files (target names, plan notes) passes through exactly one
 * of these before it reaches a report.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values in HTML. Control characters are made visible first (see `visibleControls`). */
export function escapeHtml(value: unknown): string {
  return visibleControls(String(value ?? '')).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * C0/C1 controls (except tab and newline) and lone surrogates shown as `\xNN` / `\uNNNN`, so an
 * ANSI escape or a NUL in evidence prints as text and cannot drive the terminal or break a parser.
 */
export function visibleControls(value: string): string {
  return value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    },
  );
}

/** One line of untrusted text for a terminal or a table cell: controls visible, newlines as spaces. */
export function oneLine(value: unknown): string {
  return visibleControls(String(value ?? '')).replace(/[\t\r\n]+/g, ' ');
}

/**
 * Characters XML 1.0 forbids (most C0 controls, U+FFFE/U+FFFF, lone surrogates) cannot be escaped,
 * only removed; we replace them with U+FFFD so the reader sees something was there.
 */
export function xmlSafe(value: unknown): string {
  return String(value ?? '').replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

/** XML text content and attribute values (double-quoted). Tab/CR/LF are kept as character references. */
export function escapeXml(value: unknown): string {
  return xmlSafe(value).replace(/[&<>"'\t\r\n]/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\r': '&#13;',
  '\n': '&#10;',
};

/** XML text content where newlines should stay readable (failure bodies). */
export function escapeXmlText(value: unknown): string {
  return xmlSafe(value).replace(/[&<>]/g, (c) => XML_ESCAPES[c] ?? c);
}

/** A GitHub-flavoured Markdown table cell: HTML as entities, Markdown punctuation and `|` backslashed, one line. */
export function escapeMarkdownCell(value: unknown): string {
  return oneLine(value)
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for `<script type="application/json">`: `<` as \u003c so `</script>` or `<!--` in the data
 * cannot end the block; U+2028/2029 escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A PowerShell single-quoted string: nothing inside expands; a quote is doubled. */
export function powershellQuote(value: string): string {
  return `'${oneLine(value).replace(/['\u2018\u2019\u201a\u201b]/g, "''")}'`;
}
