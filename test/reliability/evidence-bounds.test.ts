/**
 * Issue 12 item 7: evidence is bounded and printable where it is made, and a user's string
 * echoed to a terminal (a target name in a resolve error, a log line) carries no escape
 * sequence. The hostile-server suite proves it end to end; these pin the rules down.
 */
import { expect } from 'chai';
import { formatLogLine } from '../../src/agent/log.js';
import { boundedList, listText, printableText, terminalText } from '../../src/printable.js';
import { buildObservation, MAX_LINE_TEXT, MAX_LINES } from '../../src/probe/observation.js';
import { recognized, rejected } from '../../src/protocols/recognition.js';
import { certificateEvidence } from '../../src/protocols/tls/certificate.js';
import { runCli } from '../support/cli.js';

const site = { target: 'dc1.test', address: '192.0.2.10', protocol: 'tcp' as const, port: 636 };
const open = { state: 'open' as const, reason: 'syn-ack' as const, rttMs: 1, attempts: 1, error: null };
// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('printable text and bounded lists', () => {
  it('shows NUL, BEL, ESC, DEL, C1 and bidi overrides as escapes; keeps the rest, tags included', () => {
    expect(printableText('a\u0000b\u0007c\u001b[31md\u007fe\u009bf\u202eg<h>é✓')).to.equal(
      'a\\x00b\\x07c\\x1b[31md\\x7fe\\x9bf\\u202eg<h>é✓',
    );
    expect(printableText('x'.repeat(10), 4)).to.equal('xxxx…');
    expect(terminalText('line one\nline\u001b two\r')).to.equal('line one\nline\\x1b two\\x0d');
  });

  it('bounds a list with "and N more"', () => {
    const items = Array.from({ length: 3900 }, (_, i) => String(i));
    expect(boundedList(items, 3, 'ports')).to.deep.equal(['0', '1', '2', 'and 3,897 more ports']);
    expect(boundedList(['a', 'b'], 3)).to.deep.equal(['a', 'b']);
    expect(listText(items, 2)).to.equal('0, 1 and 3,898 more');
    expect(listText(['a', 'b'], 2)).to.equal('a, b');
  });
});

describe('an observation bounds and cleans what modules and the network said', () => {
  it('at most MAX_LINES lines of at most MAX_LINE_TEXT characters, with no control character', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} \u001b[2J${'x'.repeat(10_000)}`);
    const o = buildObservation(site, open, { module: { id: 'm' }, recognition: recognized(lines, lines) });
    for (const list of [o.evidence, o.warnings]) {
      expect(list).to.have.length(MAX_LINES + 1);
      for (const line of list) {
        expect(line.length).to.be.at.most(MAX_LINE_TEXT + 1);
        expect(line).not.to.match(CONTROL);
      }
    }
    expect(o.evidence.at(-1)).to.equal(`and ${100 - MAX_LINES} more evidence lines`);
    expect(o.evidence[0]).to.match(/^line 0 \\x1b\[2Jx+…$/);
  });

  it('a rejection reason, an error and discovered interface names are cleaned too', () => {
    const bad = buildObservation(site, open, { module: { id: 'm' }, recognition: rejected('bad \u0000 byte') });
    expect(bad.evidence).to.deep.equal(['m: no recognisable reply (bad \\x00 byte)']);
    const failed = buildObservation(
      site,
      { ...open, state: 'error', reason: 'local-error', error: 'E\u001b[31m' },
      null,
    );
    expect(failed.error).to.equal('E\\x1b[31m');
    const names = Array.from({ length: 40 }, (_, i) => `iface${i}\u009b`);
    const chosen = buildObservation(site, open, null, { portChoice: { kind: 'discovered', interfaces: names } });
    expect(chosen.portChoice?.kind === 'discovered' && chosen.portChoice.interfaces).to.deep.equal([
      ...names.slice(0, MAX_LINES).map((n) => n.replace('\u009b', '\\x9b')),
      `and ${40 - MAX_LINES} more interfaces`,
    ]);
  });

  it('certificate subject, issuer, names and expiry text are printable; 2,504 names are counted, not listed', () => {
    const { evidence, warnings } = certificateEvidence(
      {
        protocol: 'TLSv1.3',
        subject: 'CN=a\u001b[31mb\u0000',
        issuer: 'CN=\u009bissuer',
        subjectAltNames: Array.from({ length: 2504 }, (_, i) => `DNS:h${i}.example.test`),
        validTo: 'never\u0007',
        selfSigned: false,
      },
      'dc1.example.test',
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(evidence).to.include('certificate subject CN=a\\x1b[31mb\\x00; issuer CN=\\x9bissuer');
    expect(evidence.find((l) => l.startsWith('subject alternative names'))).to.match(
      /^subject alternative names: DNS:h0\.example\.test, (DNS:h\d\.example\.test, ){8}DNS:h9\.example\.test and 2,494 more names$/,
    );
    expect(warnings).to.include('certificate expiry unreadable (never\\x07)');
  });
});

describe('user strings echoed to a terminal', () => {
  it('a target name with an escape sequence is shown escaped in the resolve error', async () => {
    // The run goes on without that target (issue 12 item 5): the report shows why, escaped.
    const run = await runCli(['check', '--port', '445/tcp', 'ex\u001b[31mRED.invalid']);
    expect(run.code).to.equal(3);
    expect(run.stdout + run.stderr).not.to.match(CONTROL_BUT_NEWLINE);
    expect(run.stdout).to.include('"ex\\x1b[31mRED.invalid" did not resolve (');
  });

  it('agent log lines (text and JSON) carry no raw control character', () => {
    const entry = { event: 'run-error', error: 'target "x\u001b[31m" did not resolve\u009b' };
    expect(formatLogLine(entry, 'text')).to.equal(
      'event=run-error error="target \\"x\\\\x1b[31m\\" did not resolve\\\\x9b"',
    );
    expect(formatLogLine(entry, 'json')).not.to.match(/\\u001b|\u009b/);
  });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal output may hold newlines, nothing else
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
