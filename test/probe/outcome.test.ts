/**
 * The one errno -> state table (src/probe/outcome.ts), row by row. A wrong row here is a
 * wrong state in every report: a kernel timeout read as `open` is a false pass, a refusal
 * folded into `filtered` hides the finding.
 */
import { expect } from 'chai';
import { NEIGHBOUR_FAILURE_MS, type Outcome, outcomeOfError } from '../../src/probe/outcome.js';

const errno = (code: string, message = `connect ${code} 192.0.2.1:445`) => Object.assign(new Error(message), { code });

describe('outcomeOfError: every errno it maps', () => {
  /** errno, transport, the outcome, and how long after the packet left the error came (ms, default 0). */
  const table: [string, 'tcp' | 'udp', Outcome, number?][] = [
    ['ECONNREFUSED', 'tcp', { state: 'closed', reason: 'rst', error: null }],
    ['ECONNREFUSED', 'udp', { state: 'closed', reason: 'icmp-port-unreachable', error: null }],
    ['ETIMEDOUT', 'tcp', { state: 'filtered', reason: 'timeout', error: null }],
    ['ETIMEDOUT', 'udp', { state: 'filtered', reason: 'timeout', error: null }],
    // Host unreachable within a round trip is a reject; once neighbour discovery gave up, no host is there.
    ['EHOSTUNREACH', 'tcp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
    ['EHOSTUNREACH', 'udp', { state: 'filtered', reason: 'icmp-unreachable', error: null }, NEIGHBOUR_FAILURE_MS - 1],
    ['EHOSTUNREACH', 'tcp', { state: 'filtered', reason: 'host-unreachable', error: null }, NEIGHBOUR_FAILURE_MS],
    ['EHOSTDOWN', 'tcp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
    ['EHOSTDOWN', 'udp', { state: 'filtered', reason: 'host-unreachable', error: null }, NEIGHBOUR_FAILURE_MS],
    // No route: nothing answers there, however soon it is said.
    ['ENETUNREACH', 'tcp', { state: 'filtered', reason: 'host-unreachable', error: null }],
    ['ENETDOWN', 'udp', { state: 'filtered', reason: 'host-unreachable', error: null }],
    ['EACCES', 'tcp', { state: 'filtered', reason: 'icmp-admin-prohibited', error: null }],
    ['ENOTFOUND', 'tcp', { state: 'error', reason: 'resolve-failed', error: 'connect ENOTFOUND 192.0.2.1:445' }],
    ['EAI_AGAIN', 'udp', { state: 'error', reason: 'resolve-failed', error: 'connect EAI_AGAIN 192.0.2.1:445' }],
    [
      'ABORT_ERR',
      'tcp',
      { state: 'error', reason: 'aborted', error: 'the run was stopped before this probe finished' },
    ],
    // Our side failed, not the network: never a network state.
    ['EMFILE', 'tcp', { state: 'error', reason: 'local-error', error: 'EMFILE: connect EMFILE 192.0.2.1:445' }],
    ['EPERM', 'udp', { state: 'error', reason: 'local-error', error: 'EPERM: connect EPERM 192.0.2.1:445' }],
    [
      'EADDRNOTAVAIL',
      'tcp',
      { state: 'error', reason: 'local-error', error: 'EADDRNOTAVAIL: connect EADDRNOTAVAIL 192.0.2.1:445' },
    ],
    [
      'ECONNRESET',
      'tcp',
      { state: 'error', reason: 'local-error', error: 'ECONNRESET: connect ECONNRESET 192.0.2.1:445' },
    ],
  ];
  for (const [code, transport, want, elapsedMs] of table) {
    const after = elapsedMs === undefined ? '' : ` after ${elapsedMs} ms`;
    it(`${code} over ${transport}${after} -> ${want.state}/${want.reason}`, () => {
      expect(outcomeOfError(errno(code), transport, elapsedMs)).to.deep.equal(want);
    });
  }

  it('never maps any errno to open, however late it came', () => {
    for (const [code, transport] of table) {
      for (const elapsedMs of [0, 10 * NEIGHBOUR_FAILURE_MS]) {
        expect(outcomeOfError(errno(code), transport, elapsedMs).state, code).not.to.equal('open');
      }
    }
  });

  it('an error without a code is a local error carrying its message', () => {
    expect(outcomeOfError(new Error('socket hang up'), 'tcp')).to.deep.equal({
      state: 'error',
      reason: 'local-error',
      error: 'socket hang up',
    });
  });

  it('a thrown non-Error (string, undefined) is a local error with its text, not a crash', () => {
    expect(outcomeOfError('boom', 'udp')).to.deep.equal({ state: 'error', reason: 'local-error', error: 'boom' });
    expect(outcomeOfError(undefined, 'tcp')).to.deep.equal({
      state: 'error',
      reason: 'local-error',
      error: 'undefined',
    });
  });
});
