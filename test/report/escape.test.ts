/**
 * Every escaping function (src/report/escape.ts), character by character: the ones a format
 * gives meaning to, the controls that drive terminals or break parsers, and lone surrogates.
 * The golden files test whole reports; these say which character each rule is for.
 */
import { expect } from 'chai';
import {
  escapeHtml,
  escapeMarkdownCell,
  escapeXml,
  escapeXmlText,
  jsonForScript,
  oneLine,
  powershellQuote,
  visibleControls,
  xmlSafe,
} from '../../src/report/escape.js';

describe('escaping', () => {
  it('escapeXml: the five XML specials and tab/CR/LF as references, for double-quoted attributes', () => {
    const table: [string, string][] = [
      ['&', '&amp;'],
      ['<', '&lt;'],
      ['>', '&gt;'],
      ['"', '&quot;'],
      ["'", '&apos;'],
      ['\t', '&#9;'],
      ['\r', '&#13;'],
      ['\n', '&#10;'],
      ['plain text 1.2/3', 'plain text 1.2/3'],
    ];
    for (const [raw, escaped] of table) expect(escapeXml(raw), JSON.stringify(raw)).to.equal(escaped);
    expect(escapeXml('a"b"<c>')).to.equal('a&quot;b&quot;&lt;c&gt;');
    expect(escapeXml(null)).to.equal('');
    expect(escapeXml(undefined)).to.equal('');
    expect(escapeXml(42)).to.equal('42');
  });

  it('escapeXmlText: & < > only, newlines and quotes stay readable', () => {
    expect(escapeXmlText('a & b < c > d "e" \'f\'\nline')).to.equal('a &amp; b &lt; c &gt; d "e" \'f\'\nline');
    expect(escapeXmlText(']]><x>')).to.equal(']]&gt;&lt;x&gt;');
    expect(escapeXmlText(undefined)).to.equal('');
  });

  it('xmlSafe: characters XML 1.0 forbids become U+FFFD; allowed ones stay', () => {
    for (const c of [
      '\u0000',
      '\u0008',
      '\u000b',
      '\u000c',
      '\u000e',
      '\u001f',
      '\ufffe',
      '\uffff',
      '\ud800',
      '\udc00',
    ]) {
      expect(xmlSafe(`a${c}b`), JSON.stringify(c)).to.equal('a\ufffdb');
    }
    for (const c of ['\t', '\n', '\r', ' ', '\u007f', '\u00e9', '\ud83d\ude00']) {
      expect(xmlSafe(`a${c}b`), JSON.stringify(c)).to.equal(`a${c}b`);
    }
    expect(xmlSafe(null)).to.equal('');
  });

  it('escapeHtml: & < > " \' as entities, controls made visible first', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).to.equal(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('\u001b[31m')).to.equal('\\x1b[31m');
    expect(escapeHtml(undefined)).to.equal('');
    expect(escapeHtml(0)).to.equal('0');
  });

  it('visibleControls: C0 (but tab and newline), DEL, C1 and lone surrogates as \\x / \\u text', () => {
    const table: [string, string][] = [
      ['\u0000', '\\x00'],
      ['\u0007', '\\x07'],
      ['\u0008', '\\x08'],
      ['\u000b', '\\x0b'],
      ['\r', '\\x0d'],
      ['\u001b', '\\x1b'],
      ['\u001f', '\\x1f'],
      ['\u007f', '\\x7f'],
      ['\u0085', '\\x85'],
      ['\u009f', '\\x9f'],
      ['\ud800', '\\ud800'],
      ['\udfff', '\\udfff'],
    ];
    for (const [raw, shown] of table) expect(visibleControls(`a${raw}b`), JSON.stringify(raw)).to.equal(`a${shown}b`);
    for (const kept of ['\t', '\n', ' ', '~', '\u00a0', '\ud83d\ude00']) {
      expect(visibleControls(`a${kept}b`), JSON.stringify(kept)).to.equal(`a${kept}b`);
    }
  });

  it('oneLine: controls visible, runs of tab/CR/LF become one space', () => {
    expect(oneLine('a\r\n\tb\nc\u001b')).to.equal('a\\x0d b c\\x1b');
    expect(oneLine('a\n\n\nb')).to.equal('a b');
    expect(oneLine(null)).to.equal('');
  });

  it('escapeMarkdownCell: Markdown punctuation and | backslashed, HTML as entities, one line', () => {
    expect(escapeMarkdownCell('a|b*c_d`e[f]g~h#i\\j')).to.equal('a\\|b\\*c\\_d\\`e\\[f\\]g\\~h\\#i\\\\j');
    expect(escapeMarkdownCell('<b>&"x"</b>\nnext')).to.equal('&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt; next');
  });

  it('jsonForScript: nothing in the data can close the script block or open a comment', () => {
    const out = jsonForScript({ a: '</script><!--&', b: '\u2028\u2029' });
    expect(out).to.equal('{"a":"\\u003c/script\\u003e\\u003c!--\\u0026","b":"\\u2028\\u2029"}');
    expect(JSON.parse(out)).to.deep.equal({ a: '</script><!--&', b: '\u2028\u2029' });
  });

  it('powershellQuote: single-quoted, every kind of single quote doubled, one line', () => {
    expect(powershellQuote("it's")).to.equal("'it''s'");
    expect(powershellQuote('a\u2018b\u2019c\u201ad\u201be')).to.equal("'a''b''c''d''e'");
    expect(powershellQuote('$(rm -r C:\\)\nx')).to.equal("'$(rm -r C:\\) x'");
  });
});
