import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { headlineWords } from '../../src/analyze/describe.js';
import { HeadlineTally } from '../../src/analyze/headline-tally.js';
import type { HostProblem, RootCause, RootCauseEffect } from '../../src/model.js';

const SERVICES = ['Kerberos', 'LDAP', 'SMB', 'DNS', 'RPC', 'W32Time', 'Global Catalog', 'LDAPS'];

function effect(serviceName: string, over: Partial<RootCauseEffect> = {}): RootCauseEffect {
  return {
    expectation: `${serviceName}/x`,
    role: 'domain-controller',
    service: serviceName.toLowerCase(),
    serviceName,
    requirement: 'required',
    condition: null,
    status: 'fail',
    ...over,
  };
}

function portCause(target: string, port: number, over: Partial<RootCause> = {}): RootCause {
  return {
    id: `${target} tcp/${port}`,
    target,
    scope: 'port',
    protocol: 'tcp',
    port,
    range: null,
    ipProtocol: null,
    host: null,
    severity: 'outage',
    requirement: 'required',
    state: 'closed',
    reason: 'rst',
    addresses: [target],
    observations: [port],
    affects: SERVICES.map((s) => effect(s)),
    explanation: `Port ${port}/tcp on ${target} refused the connection: open it for ${SERVICES.join(', ')}.`,
    ...over,
  };
}

function hostCause(target: string, host: HostProblem, severity: RootCause['severity'] = 'outage'): RootCause {
  return portCause(target, 0, { id: `${target} host`, scope: 'host', protocol: null, port: null, host, severity });
}

/** A domain controller's worth of root causes: a refused port per service row. */
function causesOf(target: string): RootCause[] {
  return [88, 135, 389, 445, 464, 636, 3268, 3269, 53, 123].map((port) => portCause(target, port));
}

describe('HeadlineTally: what the headline needs of the root causes, in bounded memory', () => {
  it('names the targets in run order and counts the rest, whatever order they finish in', () => {
    const names = ['dc1.test', 'dc2.test', 'dc3.test'];
    const inOrder = new HeadlineTally();
    names.forEach((name, ordinal) => {
      inOrder.add(name, ordinal, [portCause(name, 445)]);
    });
    const finished = new HeadlineTally();
    for (const ordinal of [2, 0, 1])
      finished.add(names[ordinal] as string, ordinal, [portCause(names[ordinal] as string, 445)]);
    expect(finished.facts()).to.deep.equal(inOrder.facts());
    expect(headlineWords('non-compliant', finished.facts())).to.match(
      /^3 refused ports on dc1\.test, dc2\.test and dc3\.test break Kerberos, LDAP and 6 more\.$/,
    );
    finished.add('dc0.test', 7, [hostCause('dc0.test', 'no-answer')]);
    finished.add('dc9.test', 9, [portCause('dc9.test', 88, { state: 'filtered' })]);
    expect(headlineWords('non-compliant', finished.facts())).to.equal(
      '4 failing ports on 4 targets; nothing answered on dc0.test: this breaks Kerberos, LDAP and 6 more.',
    );
  });

  it('words a whole result as it did from the list of causes: the first two notices and a count', () => {
    const notice = (target: string, serviceName: string) =>
      portCause(target, 5985, { severity: 'notice', requirement: 'optional', affects: [effect(serviceName)] });
    const tally = HeadlineTally.of([
      notice('a.test', 'WinRM'),
      notice('a.test', 'DFSR'),
      notice('b.test', 'WinRM'),
      notice('c.test', 'WinRM'),
    ]);
    expect(headlineWords('compliant', tally.facts())).to.equal(
      'Every required port answered as expected. Notices about optional parts: WinRM on a.test, DFSR on a.test and 2 more.',
    );
    const unsure = HeadlineTally.of([hostCause('x.test', 'unresolved', 'inconclusive')]);
    expect(headlineWords('inconclusive', unsure.facts())).to.equal('Inconclusive: x.test did not resolve.');
  });

  it('holds no more after 5,000 targets than after 200', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfter = (tally: HeadlineTally, from: number, to: number) => {
      for (let ordinal = from; ordinal < to; ordinal++)
        tally.add(`dc${ordinal}.test`, ordinal, causesOf(`dc${ordinal}.test`));
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const tally = new HeadlineTally();
    const at200 = heapAfter(tally, 0, 200);
    const at5000 = heapAfter(tally, 200, 5000);
    // Keeping each target's causes, even slimmed to what the headline reads, held several
    // KB a target here (tens of MB in all); the counts and three names do not grow.
    expect(at5000 - at200).to.be.below(2 * 2 ** 20);
    expect(tally.facts().outage.ports.count).to.equal(50_000);
    expect(tally.facts().outage.ports.targets).to.deep.equal({
      count: 5000,
      first: ['dc0.test', 'dc1.test', 'dc2.test'],
    });
  });
});
