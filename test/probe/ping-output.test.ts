/**
 * Deciding an ICMP echo from ping's output, over samples of Windows ping in six UI languages
 * (in the console code page each prints in, CRLF), iputils and macOS ping/ping6, each with a
 * reply, a router's "destination unreachable" and silence. test/fixtures/ping/README.md says
 * how the samples were made.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { ProbeState, Reason } from '../../src/model.js';
import { decideEcho, decodePingOutput, parseRtt } from '../../src/probe/ping-output.js';

const FIXTURES = new URL('../fixtures/ping/', import.meta.url);

interface Sample {
  file: string;
  platform: NodeJS.Platform;
  address: string;
  exitCode: number | null;
  state: ProbeState;
  reason: Reason;
  rttMs?: number | null;
  /** The router named in the evidence. */
  from?: string;
}

const REPLY = { state: 'open', reason: 'reply' } as const;
const ROUTER = { state: 'filtered', reason: 'icmp-unreachable', from: '10.0.0.1' } as const;
const SILENT = { state: 'filtered', reason: 'no-reply' } as const;

const SAMPLES: Sample[] = [
  // Windows: exit 0 for replies AND for a router's unreachable, 1 for silence.
  ...['en', 'de', 'fr', 'es', 'ja', 'ru', 'zh'].flatMap((lang): Sample[] => [
    { file: `windows-${lang}-reply`, platform: 'win32', address: '10.0.0.5', exitCode: 0, ...REPLY, rttMs: 1 },
    { file: `windows-${lang}-unreachable`, platform: 'win32', address: '10.0.9.9', exitCode: 0, ...ROUTER },
  ]),
  ...['en', 'de', 'fr', 'es', 'ja'].map(
    (lang): Sample => ({
      file: `windows-${lang}-timeout`,
      platform: 'win32',
      address: '10.0.0.7',
      exitCode: 1,
      ...SILENT,
    }),
  ),
  { file: 'windows-en-ttl-expired', platform: 'win32', address: '10.0.9.9', exitCode: 0, ...ROUTER },
  { file: 'windows-en-general-failure', platform: 'win32', address: '10.0.0.5', exitCode: 1, ...SILENT },
  // Windows prints no TTL for IPv6: the line naming the target with a time is the reply.
  { file: 'windows-en-ipv6-reply', platform: 'win32', address: '2001:db8::5', exitCode: 0, ...REPLY, rttMs: 1 },
  {
    file: 'windows-en-ipv6-unreachable',
    platform: 'win32',
    address: '2001:db8::99',
    exitCode: 0,
    ...ROUTER,
    from: '2001:db8::1',
  },
  // iputils: 0 reply, 1 none (router's unreachable included).
  { file: 'linux-reply', platform: 'linux', address: '10.0.0.5', exitCode: 0, ...REPLY, rttMs: 0.388 },
  { file: 'linux-unreachable', platform: 'linux', address: '10.0.9.9', exitCode: 1, ...ROUTER },
  { file: 'linux-timeout', platform: 'linux', address: '10.0.0.7', exitCode: 1, ...SILENT },
  { file: 'linux-ipv6-reply', platform: 'linux', address: '2001:db8::5', exitCode: 0, ...REPLY, rttMs: 0.47 },
  {
    file: 'linux-ipv6-unreachable',
    platform: 'linux',
    address: '2001:db8::99',
    exitCode: 1,
    ...ROUTER,
    from: '2001:db8::1',
  },
  // macOS/BSD: 0 reply, 2 none; the unreachable comes with a dump of our own packet (naming the target).
  { file: 'darwin-reply', platform: 'darwin', address: '10.0.0.5', exitCode: 0, ...REPLY, rttMs: 0.59 },
  { file: 'darwin-unreachable', platform: 'darwin', address: '10.0.9.9', exitCode: 2, ...ROUTER },
  { file: 'darwin-timeout', platform: 'darwin', address: '10.0.0.7', exitCode: 2, ...SILENT },
  { file: 'darwin-ipv6-reply', platform: 'darwin', address: '2001:db8::5', exitCode: 0, ...REPLY, rttMs: 0.702 },
];

function read(file: string): Uint8Array {
  return readFileSync(new URL(`${file}.txt`, FIXTURES));
}

describe('ping output: echo reply or not, in any language', () => {
  for (const s of SAMPLES) {
    it(`${s.file}: ${s.state} (${s.reason})`, () => {
      const d = decideEcho({
        stdout: decodePingOutput(read(s.file), s.platform),
        stderr: '',
        exitCode: s.exitCode,
        platform: s.platform,
        address: s.address,
      });
      expect({ state: d.state, reason: d.reason }).to.deep.equal({ state: s.state, reason: s.reason });
      if (s.rttMs !== undefined) expect(d.rttMs).to.equal(s.rttMs);
      if (s.from) expect(d.evidence.join(' ')).to.include(`${s.from} answered with an ICMP error`);
      else expect(d.evidence).to.deep.equal([]);
    });
  }

  it('the non-Latin samples really are in their console code pages, not UTF-8', () => {
    for (const file of ['windows-ja-reply', 'windows-ru-reply', 'windows-zh-reply', 'windows-de-reply']) {
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(read(file)), file).to.throw();
    }
    // Shift_JIS "からの応答" (reply from) and CP866 "Ответ от" (reply from), as ping.exe writes them.
    expect(new TextDecoder('shift_jis').decode(read('windows-ja-reply'))).to.include('10.0.0.5 からの応答: ');
    expect(new TextDecoder('ibm866').decode(read('windows-ru-reply'))).to.include('Ответ от 10.0.0.5: ');
  });

  it("Windows' exit 0 alone is no reply: a router's unreachable is filtered", () => {
    const d = decideEcho({
      stdout: 'Reply from 10.0.0.1: Destination host unreachable.\r\n',
      stderr: '',
      exitCode: 0,
      platform: 'win32',
      address: '10.0.9.9',
    });
    expect(d.state).to.equal('filtered');
  });

  it('a TTL line that names another address, or a longer one, is not a reply from the target', () => {
    for (const line of [
      'Reply from 10.0.0.50: bytes=32 time=1ms TTL=128',
      'Reply from 110.0.0.5: bytes=32 time=1ms TTL=128',
      '64 bytes from 10.0.0.6: icmp_seq=1 ttl=64 time=0.4 ms',
    ]) {
      const d = decideEcho({ stdout: line, stderr: '', exitCode: 1, platform: 'linux', address: '10.0.0.5' });
      expect(d.state, line).to.equal('filtered');
    }
    const v6 = decideEcho({
      stdout: 'Reply from 2001:db8::50: time<1ms\r\n',
      stderr: '',
      exitCode: 0,
      platform: 'win32',
      address: '2001:db8::5',
    });
    expect(v6.state).to.equal('filtered');
  });

  it('matches an IPv6 target written in another form than ping prints it', () => {
    const d = decideEcho({
      stdout: 'Reply from 2001:db8::5: time=2ms\r\n',
      stderr: '',
      exitCode: 0,
      platform: 'win32',
      address: '2001:0DB8:0:0::5',
    });
    expect(d).to.include({ state: 'open', rttMs: 2 });
  });

  it('iputils or BSD exit 0 is a reply even when the line cannot be read; other exits are errors', () => {
    const unread = decideEcho({ stdout: '', stderr: '', exitCode: 0, platform: 'linux', address: '10.0.0.5' });
    expect(unread).to.include({ state: 'open', reason: 'reply', rttMs: null });
    const bad = decideEcho({
      stdout: '',
      stderr: 'ping: bind icmp socket: Cannot assign requested address\n',
      exitCode: 2,
      platform: 'linux',
      address: '10.0.0.5',
    });
    expect(bad).to.include({ state: 'error', reason: 'local-error' });
    expect(bad.error).to.equal('ping: bind icmp socket: Cannot assign requested address');
    const macUnknown = decideEcho({
      stdout: '',
      stderr: 'ping: cannot resolve 10.0.0.5x: Unknown host\n',
      exitCode: 68,
      platform: 'darwin',
      address: '10.0.0.5x',
    });
    expect(macUnknown.state).to.equal('error');
    const denied = decideEcho({
      stdout: '',
      stderr: 'ping: socket: Operation not permitted\n',
      exitCode: 2,
      platform: 'linux',
      address: '10.0.0.5',
    });
    expect(denied).to.include({ state: 'untestable', reason: 'no-permission' });
  });

  it('a ping killed at our deadline after a reply still counts the reply', () => {
    const d = decideEcho({
      stdout: '16 bytes from 2001:db8::5, icmp_seq=0 hlim=64 time=0.814 ms\n',
      stderr: '',
      exitCode: null,
      platform: 'darwin',
      address: '2001:db8::5',
    });
    expect(d).to.include({ state: 'open', rttMs: 0.814 });
  });

  it('reads the time, not the byte count or the TTL, in every format', () => {
    expect(parseRtt('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.022 ms')).to.equal(0.022);
    expect(parseRtt('Antwort von 10.0.0.5: Bytes=32 Zeit=7ms TTL=128')).to.equal(7);
    expect(parseRtt('Respuesta desde 10.0.0.5: bytes=32 tiempo<1m TTL=128')).to.equal(1);
    expect(parseRtt('Reply from 2001:db8::5: time=12ms')).to.equal(12);
    expect(parseRtt('Request timed out.')).to.equal(null);
  });

  it('reads a bounded number of lines of a runaway output', () => {
    const flood = `${'x\n'.repeat(10_000)}Reply from 10.0.0.5: bytes=32 time=1ms TTL=128\n`;
    const d = decideEcho({ stdout: flood, stderr: '', exitCode: 0, platform: 'win32', address: '10.0.0.5' });
    expect(d.state).to.equal('filtered');
  });
});
