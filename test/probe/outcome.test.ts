/**
 * The one errno -> state table (src/probe/outcome.ts), row by row. A wrong row here is a
 * wrong state in every report: a kernel timeout read as `open` is a false pass, a refusal
 * folded into `filtered` hides the finding.
 */
import { expect } from 'chai';
import { type Outcome, outcomeOfError } from '../../src/probe/outcome.js';

const errno = (code: string, message = `connect ${code} 192.0.2.1:445`) => Object.assign(new Error(message), { code });

describe('outcomeOfError: every errno it maps', () => {
  const table: [string, 'tcp' | 'udp', Outcome][] = [
    ['ECONNREFUSED', 'tcp', { state: 'closed', reason: 'rst', error: null }],
    ['ECONNREFUSED', 'udp', { state: 'closed', reason: 'icmp-port-unreachable', error: null }],
    ['ETIMEDOUT', 'tcp', { state: 'filtered', reason: 'timeout', error: null }],
    ['ETIMEDOUT', 'udp', { state: 'filtered', reason: 'timeout', error: null }],
    ['EHOSTUNREACH', 'tcp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
    ['ENETUNREACH', 'tcp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
    ['EHOSTDOWN', 'tcp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
    ['ENETDOWN', 'udp', { state: 'filtered', reason: 'icmp-unreachable', error: null }],
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
  for (const [code, transport, want] of table) {
    it(`${code} over ${transport} -> ${want.state}/${want.reason}`, () => {
      expect(outcomeOfError(errno(code), transport)).to.deep.equal(want);
    });
  }

  it('never maps any errno to open', () => {
    for (const [code, transport] of table) expect(outcomeOfError(errno(code), transport).state).not.to.equal('open');
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
