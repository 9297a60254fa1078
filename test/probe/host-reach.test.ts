/**
 * Host reachability (host-reach.ts) and the errno mapping it rests on (outcome.ts): an
 * EHOSTUNREACH that comes at once is a firewall's reject of one port; one that comes after
 * neighbour discovery gave up, or no route at all, says no host is at the address.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { HostReach } from '../../src/probe/host-reach.js';
import { NEIGHBOUR_FAILURE_MS, outcomeOfError } from '../../src/probe/outcome.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A stand-in for a timed-out TCP socket: it can report an error or a late connect, and be destroyed. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy() {
    this.destroyed = true;
    return this;
  }
}

describe('host reach', () => {
  it('maps host unreachable by when it came: a reject at once, no host after neighbour discovery gave up', () => {
    expect(outcomeOfError(errno('EHOSTUNREACH'), 'tcp', 3)).to.include({
      state: 'filtered',
      reason: 'icmp-unreachable',
    });
    expect(outcomeOfError(errno('EHOSTUNREACH'), 'tcp', NEIGHBOUR_FAILURE_MS + 2000)).to.include({
      state: 'filtered',
      reason: 'host-unreachable',
    });
    expect(outcomeOfError(errno('ENETUNREACH'), 'udp')).to.include({ state: 'filtered', reason: 'host-unreachable' });
    expect(outcomeOfError(errno('ECONNREFUSED'), 'udp', 5000)).to.include({ state: 'closed' });
  });

  it('anything from the host ends the wait at once: alive', async () => {
    const reach = new HostReach(60_000);
    reach.contact();
    const verdict = reach.verdict();
    reach.alive();
    reach.unreachable(); // too late: the host answered
    expect(await verdict).to.equal('alive');
    reach.close();
  });

  it('a kept TCP socket hears neighbour discovery give up: unreachable, and the socket is let go', async () => {
    const reach = new HostReach(60_000);
    reach.contact();
    const socket = new FakeSocket();
    expect(reach.adopt(socket as unknown as Socket, performance.now() - 3000)).to.equal(true);
    expect(reach.adopt(new FakeSocket() as unknown as Socket, performance.now()), 'one sentinel is enough').to.equal(
      false,
    );
    const verdict = reach.verdict();
    socket.emit('error', errno('EHOSTUNREACH'));
    expect(await verdict).to.equal('unreachable');
    expect(socket.destroyed).to.equal(true);
    reach.close();
  });

  it('a reset on the kept socket, or a late handshake, means alive; an early unreachable means nothing', async () => {
    for (const event of ['refused', 'connect'] as const) {
      const reach = new HostReach(60_000);
      reach.contact();
      const socket = new FakeSocket();
      reach.adopt(socket as unknown as Socket, performance.now() - 3000);
      if (event === 'connect') socket.emit('connect');
      else socket.emit('error', errno('ECONNREFUSED'));
      expect(await reach.verdict(), event).to.equal('alive');
      reach.close();
    }
    const reach = new HostReach(50);
    reach.contact();
    const socket = new FakeSocket();
    reach.adopt(socket as unknown as Socket, performance.now());
    socket.emit('error', errno('EHOSTUNREACH')); // within a round trip: a reject, not a missing host
    expect(await reach.verdict()).to.equal('unknown');
    expect(socket.destroyed).to.equal(true);
  });

  it('without a verdict the wait ends when the neighbour window closes: unknown', async () => {
    const reach = new HostReach(60);
    reach.contact();
    const started = performance.now();
    expect(await reach.verdict()).to.equal('unknown');
    expect(performance.now() - started).to.be.at.least(50);
    // After the window, no one waits again, even for probes that start later.
    reach.contact();
    const later = performance.now();
    expect(await reach.verdict()).to.equal('unknown');
    expect(performance.now() - later).to.be.lessThan(50);
    expect(reach.adopt(new FakeSocket() as unknown as Socket, performance.now())).to.equal(false);
  });
});
