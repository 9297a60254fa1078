import { expect } from 'chai';
import { describeTargetProblem } from '../../src/analyze/describe.js';
import { isPortolanError } from '../../src/errors.js';
import { resolveTargets } from '../support/engine.js';

const base = { allAddresses: false, source: null, timeoutMs: 1000 };

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (err: unknown) => err,
  );
}

describe('targets stage', () => {
  it('dedupes names case-insensitively, the first origin kept, and passes addresses through', async () => {
    const { targets, notes } = await resolveTargets({
      ...base,
      targets: [
        { name: '127.0.0.1', origin: 'command line' },
        { name: 'DC1.test', origin: 'plan a', addresses: ['192.0.2.11', '192.0.2.12'] },
        { name: 'dc1.TEST', origin: 'plan b', addresses: ['192.0.2.99'] },
      ],
    });
    expect(targets).to.deep.equal([
      { name: '127.0.0.1', origin: 'command line', addresses: ['127.0.0.1'], problem: null, ordinal: 0 },
      { name: 'DC1.test', origin: 'plan a', addresses: ['192.0.2.11'], problem: null, ordinal: 1 },
    ]);
    expect(notes).to.deep.equal([]);
  });

  it('keeps every known address with allAddresses', async () => {
    const { targets } = await resolveTargets({
      ...base,
      allAddresses: true,
      targets: [{ name: 'dc1.test', origin: 'x', addresses: ['192.0.2.11', '192.0.2.12'] }],
    });
    expect(targets[0]?.addresses).to.deep.equal(['192.0.2.11', '192.0.2.12']);
  });

  it('returns a name that does not resolve as a per-target problem, and resolves the rest', async () => {
    const { targets } = await resolveTargets({
      ...base,
      targets: [
        { name: 'nosuchhost.invalid', origin: 'command line' },
        { name: '::1', origin: 'command line' },
      ],
    });
    const [gone, loopback] = targets;
    expect(gone?.addresses).to.deep.equal([]);
    expect(gone?.problem).to.include({ kind: 'unresolved', name: 'nosuchhost.invalid' });
    expect(describeTargetProblem(gone?.problem as never)).to.match(/^"nosuchhost\.invalid" did not resolve \(/);
    expect(loopback).to.deep.include({ addresses: ['::1'], problem: null });
  });

  it('asks again once after a transient resolver failure (EAI_AGAIN), never after a final one', async () => {
    const asked: string[] = [];
    const failing = (codes: Record<string, string[]>) => async (name: string) => {
      asked.push(name);
      const code = codes[name]?.shift();
      if (code) throw Object.assign(new Error(`getaddrinfo ${code} ${name}`), { code });
      return [{ address: '192.0.2.50' }];
    };
    const lookup = failing({
      'flaky.test': ['EAI_AGAIN'],
      'down.test': ['EAI_AGAIN', 'EAI_AGAIN'],
      'gone.test': ['ENOTFOUND', 'ENOTFOUND'],
    });
    const { targets } = await resolveTargets({
      ...base,
      lookup,
      targets: ['flaky.test', 'down.test', 'gone.test'].map((name) => ({ name, origin: 'command line' })),
    });
    const [flaky, down, gone] = targets;
    expect(flaky).to.deep.include({ addresses: ['192.0.2.50'], problem: null });
    expect(down?.problem).to.include({ code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN down.test' });
    expect(gone?.problem).to.include({ code: 'ENOTFOUND' });
    expect(asked.filter((n) => n === 'flaky.test')).to.have.length(2);
    expect(asked.filter((n) => n === 'down.test')).to.have.length(2);
    expect(asked.filter((n) => n === 'gone.test')).to.have.length(1);
  });

  it("keeps the resolver's words printable: a name's control characters are shown, not sent", async () => {
    const name = 'ex\u001b[31mRED\u0007.invalid';
    const { targets } = await resolveTargets({
      ...base,
      lookup: async (n) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${n}`), { code: 'ENOTFOUND' });
      },
      targets: [{ name, origin: 'command line' }],
    });
    const problem = targets[0]?.problem;
    expect(problem?.message).to.equal('getaddrinfo ENOTFOUND ex\\x1b[31mRED\\x07.invalid');
    expect(describeTargetProblem(problem as never)).to.equal(
      '"ex\\x1b[31mRED\\x07.invalid" did not resolve (ENOTFOUND)',
    );
  });

  it('refuses a --source this machine does not have, and a run without targets', async () => {
    const source = await rejection(resolveTargets({ ...base, source: '192.0.2.77', targets: [] }));
    expect(isPortolanError(source, 'INVALID_VALUE')).to.equal(true);
    expect((source as Error).message).to.match(/^source 192\.0\.2\.77 is not an address of this machine/);
    const none = await rejection(resolveTargets({ ...base, targets: [] }));
    expect(isPortolanError(none, 'NO_TARGETS')).to.equal(true);
  });
});
