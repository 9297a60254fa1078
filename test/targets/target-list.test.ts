import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { isPortolanError, type PortolanError } from '../../src/errors.js';
import { checkCidrSize, cidrAddresses, parseCidr } from '../../src/targets/cidr.js';
import { openTargets } from '../../src/targets/index.js';
import { entryOfLine } from '../../src/targets/target-list.js';
import { resolveTargets } from '../support/engine.js';

const base = { allAddresses: false, source: null, timeoutMs: 1000, targets: [] };

async function rejection(p: Promise<unknown>): Promise<PortolanError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => {
      if (!isPortolanError(err)) throw err;
      return err;
    },
  );
}

describe('targets files and CIDR prefixes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-targets-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads one entry per line: comments and blank lines skipped, a # inside a name kept, origin file:line', async () => {
    const path = file('hosts.txt', '# estate\n\n127.0.0.1   # loopback\r\n127.0.0.2\n  \nweird#name.test\n127.0.0.3');
    const { targets } = await resolveTargets({
      ...base,
      files: [path],
      lookup: async (name) => {
        throw Object.assign(new Error(`no ${name}`), { code: 'ENOTFOUND' });
      },
    });
    expect(targets.map((t) => [t.name, t.origin])).to.deep.equal([
      ['127.0.0.1', `${path}:3`],
      ['127.0.0.2', `${path}:4`],
      ['weird#name.test', `${path}:6`],
      ['127.0.0.3', `${path}:7`],
    ]);
    expect(entryOfLine('   # only a comment')).to.equal(null);
  });

  it('a bad line is one error at file:line (exit 2), before anything is resolved', async () => {
    const path = file('bad.txt', '127.0.0.1\n\n10.0.0.0/33\n');
    let looked = 0;
    const err = await rejection(
      openTargets({
        ...base,
        files: [path],
        lookup: async () => {
          looked++;
          return [];
        },
      }),
    );
    expect(err.code).to.equal('INVALID_VALUE');
    expect(err.message).to.equal(`${path}:3: target "10.0.0.0/33": the prefix length must be 0 to 32`);
    expect(looked).to.equal(0);
    const twoNames = await rejection(openTargets({ ...base, files: [file('two.txt', 'a.test b.test\n')] }));
    expect(twoNames.message).to.match(/two\.txt:1: target "a\.test b\.test": expected one host name/);
    const long = await rejection(openTargets({ ...base, files: [file('long.txt', `ok.test\n${'x'.repeat(5000)}\n`)] }));
    expect(long.message).to.match(/long\.txt:2: line longer than 1024 characters/);
    const missing = await rejection(openTargets({ ...base, files: [join(dir, 'nope.txt')] }));
    expect(missing.code).to.equal('FILE_UNREADABLE');
    expect(missing.message).to.include('nope.txt');
  });

  it('- reads standard input once, and the run reads its lines back with stdin:line origins', async () => {
    const stdin = Readable.from(['127.0.0.9\n# c\n', '127.0.0.8\n']);
    const { targets } = await resolveTargets({ ...base, files: ['-'], stdin });
    expect(targets.map((t) => [t.name, t.origin, t.addresses])).to.deep.equal([
      ['127.0.0.9', 'stdin:1', ['127.0.0.9']],
      ['127.0.0.8', 'stdin:3', ['127.0.0.8']],
    ]);
  });

  it('counts targets across inline entries, files and prefixes; duplicates are probed once', async () => {
    const stream = await openTargets({
      ...base,
      targets: [
        { name: '127.0.0.0/30', origin: 'command line' },
        { name: '127.0.0.1', origin: 'command line' },
      ],
      files: [file('more.txt', '127.0.0.2\n127.0.1.0/31\n')],
    });
    try {
      expect([stream.total, stream.named]).to.deep.equal([4, 4]);
      const names: string[] = [];
      const origins: string[] = [];
      for await (const t of stream.targets()) {
        names.push(t.name);
        origins.push(t.origin);
      }
      expect(names).to.deep.equal(['127.0.0.1', '127.0.0.2', '127.0.1.0', '127.0.1.1']);
      expect(origins[0]).to.equal('command line (127.0.0.0/30)');
      expect(origins[3]).to.match(/more\.txt:2 \(127\.0\.1\.0\/31\)$/);
    } finally {
      stream.close();
    }
  });

  it('IPv4 prefixes leave out network and broadcast from /30 and wider; /31 and /32 keep every address', () => {
    expect([...cidrAddresses(parseCidr('192.0.2.0/30', 't'))]).to.deep.equal(['192.0.2.1', '192.0.2.2']);
    expect([...cidrAddresses(parseCidr('192.0.2.4/31', 't'))]).to.deep.equal(['192.0.2.4', '192.0.2.5']);
    expect([...cidrAddresses(parseCidr('192.0.2.7/32', 't'))]).to.deep.equal(['192.0.2.7']);
    expect(parseCidr('10.0.4.0/22', 't').size).to.equal(1022n);
  });

  it('IPv6 prefixes yield every address, in RFC 5952 text', () => {
    expect([...cidrAddresses(parseCidr('2001:DB8::/126', 't'))]).to.deep.equal([
      '2001:db8::',
      '2001:db8::1',
      '2001:db8::2',
      '2001:db8::3',
    ]);
    expect([...cidrAddresses(parseCidr('2001:db8:0:0:1::fffe/127', 't'))]).to.deep.equal([
      '2001:db8::1:0:0:fffe',
      '2001:db8::1:0:0:ffff',
    ]);
    expect(parseCidr('::ffff:192.0.2.0/120', 't').size).to.equal(256n);
  });

  it('refuses host bits past the prefix, and a prefix larger than the limit with a clear message', async () => {
    expect(() => parseCidr('10.0.4.1/22', 'target')).to.throw(
      /host bits are set; the prefix starts at 10\.0\.4\.0\/22/,
    );
    expect(() => parseCidr('2001:db8::1/64', 'target')).to.throw(/the prefix starts at 2001:db8::\/64/);
    expect(() => checkCidrSize(parseCidr('10.0.0.0/8', 'target'), 65_536, 'target')).to.throw(
      'target "10.0.0.0/8" is 16,777,214 addresses, more than the CIDR limit of 65,536; raise it with --cidr-limit N',
    );
    const v6 = await rejection(openTargets({ ...base, targets: [{ name: '2001:db8::/64', origin: 'x' }] }));
    expect(v6.message).to.match(/"2001:db8::\/64" is 18,446,744,073,709,551,616 addresses/);
    const raised = await openTargets({ ...base, cidrLimit: 70_000, targets: [{ name: '10.1.0.0/16', origin: 'x' }] });
    expect(raised.total).to.equal(65_534);
    raised.close();
  });
});
