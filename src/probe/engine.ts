/**
 * The probe engine: turns (expectations x target addresses) into deduplicated probes,
 * runs them under one scheduler, and hands back each target as soon as its probes are done:
 * its observations, the links that say which observations decide which expectation, and
 * typed notes about fallbacks taken. At most `targetsInFlight` targets are probed (or wait
 * to be taken) at once, so what the engine holds follows that window, never the target
 * count. Each observation is built once, complete, by `observation.ts` and never changed after.
 *
 * Dynamic RPC ranges: with `rpcMode: 'discover'` the endpoint mapper's answer on 135/tcp
 * names the ports to probe (each asked for an RPC bind), falling back to a sample when it
 * lists none; `sample` probes `rpcSample` evenly spread ports without asking the mapper;
 * `sweep` probes every port of the range.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { parseRange } from '../catalog/port-sets.js';
import type { Expectation, Observation, PortChoice, RunNote } from '../model.js';
import { tcpConnectTimeoutMs, udpSilenceLimit } from '../platform/probe-limits.js';
import { genericUdp } from '../protocols/generic-udp.js';
import { moduleById, modulesFor } from '../protocols/index.js';
import type { CustomProtocol, DiscoveredEndpoint, ProbeContext, TcpProtocol, UdpProtocol } from '../protocols/types.js';
import { HostReach } from './host-reach.js';
import { ping } from './icmp.js';
import {
  buildObservation,
  type Exchange,
  type Finding,
  type ProbeSite,
  unresolvedObservation,
  untestableObservation,
} from './observation.js';
import { ABORTED } from './outcome.js';
import { sampleRange, udpRangeSample } from './rpc-sample.js';
import { Scheduler } from './scheduler.js';
import { tcpProbe } from './tcp-probe.js';
import { udpProbe } from './udp.js';
import { UdpHostSchedule } from './udp-schedule.js';

export interface EngineTarget {
  name: string;
  addresses: string[];
  /** Why the target could not be resolved: each of its rows is then `error` (resolve-failed) with these words. */
  problem?: { message: string } | null;
}

/** What the engine needs; the defaults live in the run option table (`run-options.ts`). */
export interface EngineOptions {
  /** TCP connect timeout and UDP per-attempt wait. */
  timeoutMs: number;
  /** UDP retransmissions after the first datagram. */
  retries: number;
  /** Probes in flight in the whole run. */
  concurrency: number;
  /** Probes in flight per target address. */
  perHost: number;
  /** Targets probed, or finished and not yet taken by the reader, at once. @default 64 */
  targetsInFlight?: number;
  localAddress?: string;
  /** Protocol conversations after the TCP handshake. */
  appProbes: boolean;
  /** Dynamic RPC ranges: ask the endpoint mapper first, sample, or sweep every port. */
  rpcMode: 'discover' | 'sample' | 'sweep';
  /** Ports of a range to sample (a UDP range: at most `UDP_RANGE_SAMPLE` of them, see rpc-sample.ts). */
  rpcSample: number;
  /** Deadline for a protocol conversation. @default 3000 */
  appTimeoutMs?: number;
  /** Echo requests per ICMP probe. @default 2 */
  pingCount?: number;
  snmpCommunity?: string;
  domain?: string;
  /** Responder mode: these modules speak on every port, and UDP silence means filtered. */
  responder?: { tcp: TcpProtocol; udp: UdpProtocol };
  /** The prober's OS, for what it cannot see (platform/probe-limits.ts). @default process.platform */
  platform?: NodeJS.Platform;
}

export interface EngineHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, host: string) => void;
}

/** What the engine found on one target. */
export interface TargetProbes<T extends EngineTarget = EngineTarget> {
  target: T;
  /** Its observations, in the order they were recorded. */
  observations: Observation[];
  /** Expectation key -> indexes into `observations`. */
  links: Map<string, number[]>;
  /** Fallbacks taken on this target (the endpoint mapper listed nothing ...), each once. */
  notes: RunNote[];
}

/** Discovered ports probed per range at most: a hostile mapper cannot make us probe thousands. */
const MAX_DISCOVERED = 64;

/** The bind-only RPC module, for dynamic ports the endpoint mapper listed. */
const RPC_BIND = (moduleById('msrpc') as TcpProtocol | undefined) ?? null;

const DEFAULT_TARGETS_IN_FLIGHT = 64;

/**
 * Probes each target as it is taken from `targets` and yields it once its probes are done
 * (in the order they finish). A target is taken only when the window has room and the
 * scheduler has a free slot, and each of its addresses only when the scheduler has room,
 * so nothing is set up for targets that cannot run yet; an address's state is released
 * when its probes are done, a target's when the reader has taken it. When the signal stops
 * the run, targets in flight end with their unfinished probes `aborted` and the rest are
 * yielded unprobed (no observations); the reader leaving early stops the taking.
 */
export async function* probeTargets<T extends EngineTarget>(
  expectations: Expectation[],
  targets: AsyncIterable<T>,
  opts: EngineOptions,
  hooks: EngineHooks = {},
): AsyncGenerator<TargetProbes<T>, void, undefined> {
  // The reader leaving early stops the probes too.
  const stop = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, stop.signal]) : stop.signal;
  // Every in-flight probe listens on the run's signal; thousands at once are expected, not a leak.
  setMaxListeners(0, signal);
  const run = new Run(opts, signal, hooks.onProgress);
  const window = opts.targetsInFlight ?? DEFAULT_TARGETS_IN_FLIGHT;
  const finished: TargetProbes<T>[] = [];
  let held = 0;
  let admitting = true;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const sleep = () => new Promise<void>((resolve) => (wake = resolve));
  const source = targets[Symbol.asyncIterator]();
  const admit = async () => {
    try {
      // A stopped run still takes the remaining targets, probing none of them, so each is
      // reported with its rows unprobed; only the reader leaving ends the taking.
      while (!stop.signal.aborted) {
        if (held >= window) {
          await new Promise<void>((resolve) => run.onRoom(resolve));
          continue;
        }
        if (!signal.aborted) await run.scheduler.ready();
        if (stop.signal.aborted) break;
        const next = await source.next();
        if (next.done) break;
        held++;
        run.probeTarget(next.value, expectations).then(
          (probes) => {
            finished.push(probes);
            notify();
          },
          (error: unknown) => {
            failure ??= { error };
            notify();
          },
        );
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      admitting = false;
      notify();
    }
  };
  const admitted = admit();
  try {
    for (;;) {
      if (failure) throw (failure as { error: unknown }).error;
      const next = finished.shift();
      if (next) {
        yield next;
        held--;
        run.roomMade();
        continue;
      }
      if (!admitting && held === 0) break;
      await sleep();
    }
  } finally {
    stop.abort();
    run.roomMade();
    await admitted;
    await source.return?.();
  }
}

/** Probes `key` once per address: `make` returns what it found, or an observation already final. */
type Once = (key: string, make: () => Promise<Finding | Observation>) => Promise<number>;

/** What the engine keeps per target address while it is probed, shared by targets that resolve to it. */
interface Host {
  reach: HostReach;
  udp: UdpHostSchedule;
  users: number;
}

/** What one target's probes found so far. */
class TargetState {
  readonly observations: Observation[] = [];
  readonly links = new Map<string, number[]>();
  /** Keyed by their JSON, so each note is kept once. */
  private readonly notes = new Map<string, RunNote>();

  add(o: Observation): number {
    this.observations.push(o);
    return this.observations.length - 1;
  }

  link(expectationKey: string, indexes: number[]): void {
    this.links.set(expectationKey, [...(this.links.get(expectationKey) ?? []), ...indexes]);
  }

  note(note: RunNote): void {
    this.notes.set(JSON.stringify(note), note);
  }

  probes<T extends EngineTarget>(target: T): TargetProbes<T> {
    return { target, observations: this.observations, links: this.links, notes: [...this.notes.values()] };
  }
}

class Run {
  readonly scheduler: Scheduler;
  private readonly hosts = new Map<string, Host>();
  private readonly waitingForRoom: (() => void)[] = [];
  private done = 0;
  private total = 0;

  constructor(
    private readonly opts: EngineOptions,
    private readonly signal: AbortSignal,
    private readonly onProgress?: (done: number, total: number, host: string) => void,
  ) {
    this.scheduler = new Scheduler(opts.concurrency, opts.perHost);
  }

  /** Calls `resolve` once the reader has taken a finished target (or the run stops). */
  onRoom(resolve: () => void): void {
    this.waitingForRoom.push(resolve);
  }

  roomMade(): void {
    for (const resolve of this.waitingForRoom.splice(0)) resolve();
  }

  /** Every address of the target, each admitted when the scheduler has room. */
  async probeTarget<T extends EngineTarget>(target: T, expectations: Expectation[]): Promise<TargetProbes<T>> {
    const state = new TargetState();
    if (target.problem) this.unresolved(state, target.name, target.problem.message, expectations);
    const addresses: Promise<void>[] = [];
    for (const address of target.addresses) {
      // The target was taken when the scheduler had room: its first address goes at once.
      if (addresses.length > 0) await this.scheduler.ready();
      if (this.signal.aborted) break;
      addresses.push(this.probeAddress(state, target.name, address, expectations));
    }
    await Promise.all(addresses);
    return state.probes(target);
  }

  /** A target whose name did not resolve: every row `error`, with the resolver's words. */
  private unresolved(state: TargetState, target: string, words: string, expectations: Expectation[]): void {
    const rows = new Map<string, number>();
    for (const e of expectations) {
      const key = `${e.protocol}/${e.port ?? e.range ?? e.ipProtocol ?? ''}`;
      let index = rows.get(key);
      if (index === undefined) {
        this.total++;
        index = this.record(
          state,
          unresolvedObservation({ target, address: null, protocol: e.protocol, port: e.port }, words),
          target,
        );
        rows.set(key, index);
      }
      state.link(e.key, [index]);
    }
  }

  private async probeAddress(
    state: TargetState,
    target: string,
    address: string,
    expectations: Expectation[],
  ): Promise<void> {
    const host = this.acquire(address);
    try {
      await this.probeExpectations(state, target, address, host, expectations);
    } finally {
      this.release(address, host);
    }
  }

  private acquire(address: string): Host {
    let host = this.hosts.get(address);
    if (!host) {
      const udp = new UdpHostSchedule({
        timeoutMs: this.opts.timeoutMs,
        retries: this.opts.retries,
        signal: this.signal,
      });
      host = { reach: new HostReach(), udp, users: 0 };
      this.hosts.set(address, host);
    }
    host.users++;
    return host;
  }

  private release(address: string, host: Host): void {
    if (--host.users > 0) return;
    host.reach.close();
    host.udp.close();
    this.hosts.delete(address);
  }

  private async probeExpectations(
    state: TargetState,
    target: string,
    address: string,
    host: Host,
    expectations: Expectation[],
  ) {
    // One probe per key per address, however many expectations share it. Range ports get keys
    // of their own (`tcp/49667/discovered`), so each observation carries how its port was chosen.
    const probes = new Map<string, Promise<number>>();
    const once: Once = (key, make) => {
      let p = probes.get(key);
      if (!p) {
        this.total++;
        p = this.scheduler
          .run(address, () => {
            host.reach.contact();
            return make();
          })
          .then((found) => ('site' in found ? this.finish(host, found) : found))
          .then((o) => this.record(state, o, address));
        probes.set(key, p);
      }
      return p;
    };
    let endpoints: Promise<DiscoveredEndpoint[] | null> = Promise.resolve(null);
    const discover = this.opts.rpcMode === 'discover' && this.opts.appProbes && !this.opts.responder;
    // The endpoint mapper's answer decides which dynamic ports to probe, so 135/tcp keeps its endpoints.
    if (discover && expectations.some((e) => e.portSet === 'rpc-dynamic' && e.protocol === 'tcp')) {
      // The range's probes start as soon as the mapper's exchange is over, not once its
      // observation is recorded (that may wait for the host's reach).
      endpoints = new Promise((resolve) => {
        void once('tcp/135', async () => {
          const r = await this.tcp(host, target, address, 135);
          if (!r.endpoints) {
            state.note({
              kind: 'epm-silent',
              target,
              address,
              state: r.finding.exchange.state,
              sample: this.opts.rpcSample,
            });
          }
          resolve(r.endpoints);
          return r.finding;
        });
      });
    }
    await Promise.all(
      expectations.map(async (e) => {
        state.link(e.key, await this.expectationProbes(state, e, host, target, address, once, endpoints));
      }),
    );
  }

  private async expectationProbes(
    state: TargetState,
    e: Expectation,
    host: Host,
    target: string,
    address: string,
    once: Once,
    endpoints: Promise<DiscoveredEndpoint[] | null>,
  ): Promise<number[]> {
    if (e.protocol === 'icmp') return [await once('icmp', () => this.icmp(target, address))];
    if (e.protocol === 'ip') {
      return [await once(`ip/${e.ipProtocol}`, async () => untestableObservation(target, address, e.ipProtocol))];
    }
    const protocol = e.protocol;
    const portProbe = (port: number, choice?: PortChoice) =>
      once(`${protocol}/${port}${choice ? `/${choice.kind}` : ''}`, async () =>
        protocol === 'udp'
          ? this.udp(host, target, address, port, choice)
          : (await this.tcp(host, target, address, port, null, choice)).finding,
      );
    if (e.port !== null) return [await portProbe(e.port)];
    if (e.range === null) return [];
    const range = parseRange(e.range);
    if (e.portSet === 'rpc-dynamic' && protocol === 'tcp') {
      const found = await endpoints;
      const discovered = found ? this.discoveredPorts(state, found, range, target, address, e.range) : null;
      if (discovered) {
        // Ask each endpoint for an RPC bind; the observation names the interfaces the mapper put there.
        return Promise.all(
          [...discovered].map(([port, interfaces]) =>
            once(`tcp/${port}/discovered`, async () => {
              const choice: PortChoice = { kind: 'discovered', interfaces };
              return (await this.tcp(host, target, address, port, RPC_BIND, choice)).finding;
            }),
          ),
        );
      }
    }
    return Promise.all(this.rangePorts(protocol, range).map((port) => portProbe(port, { kind: 'sampled' })));
  }

  /** Every port with `--rpc sweep`; else the sample (a UDP range's smaller one: rpc-sample.ts says why). */
  private rangePorts(protocol: 'tcp' | 'udp', range: { first: number; last: number }): number[] {
    if (this.opts.rpcMode === 'sweep') return sampleRange(range.first, range.last, Number.POSITIVE_INFINITY);
    return protocol === 'udp'
      ? udpRangeSample(range.first, range.last, this.opts.rpcSample)
      : sampleRange(range.first, range.last, this.opts.rpcSample);
  }

  /** The listed TCP ports within the range, each with the names of the interfaces there; null when none. */
  private discoveredPorts(
    state: TargetState,
    found: DiscoveredEndpoint[],
    range: { first: number; last: number },
    target: string,
    address: string,
    text: string,
  ): Map<number, string[]> | null {
    const ports = new Map<number, string[]>();
    for (const ep of found) {
      if (ep.protocol !== 'tcp' || ep.port === null || ep.port < range.first || ep.port > range.last) continue;
      if (!ports.has(ep.port) && ports.size >= MAX_DISCOVERED) continue;
      const names = ports.get(ep.port) ?? [];
      const name = ep.interfaceName ?? ep.annotation ?? ep.interfaceUuid;
      if (name && !names.includes(name)) names.push(name);
      ports.set(ep.port, names);
    }
    if (ports.size > 0) return ports;
    state.note({ kind: 'epm-none-in-range', target, address, range: text, sample: this.opts.rpcSample });
    return null;
  }

  /**
   * The observation from what a probe found, once its scheduler slot is free. What the host
   * showed teaches its reach and its UDP schedule; a probe that heard nothing from a host that
   * has shown nothing yet waits for the host's fate (host-reach.ts), and says
   * `host-unreachable` when no host is there.
   */
  private async finish(host: Host, f: Finding): Promise<Observation> {
    const { exchange } = f;
    if (exchange.state === 'open' || exchange.state === 'closed') host.reach.alive();
    if (exchange.reason === 'host-unreachable') host.reach.unreachable();
    // A firewall's ICMP reject of a TCP connect spent one of the host's ICMP tokens too.
    if (f.site.protocol === 'tcp' && exchange.reason === 'icmp-unreachable') host.udp.icmpSeen();
    let decided = exchange;
    if (heardNothing(exchange) && host.reach.current !== 'alive' && (await host.reach.verdict()) === 'unreachable') {
      decided = { ...exchange, state: 'filtered', reason: 'host-unreachable' };
    }
    return buildObservation(f.site, decided, f.conversation, f.facts);
  }

  private record(state: TargetState, o: Observation, host: string): number {
    const index = state.add(o);
    this.done++;
    this.onProgress?.(this.done, this.total, host);
    return index;
  }

  private ctx(target: string, address: string, port: number): ProbeContext {
    return {
      target,
      address,
      port,
      nonce: randomBytes(16),
      snmpCommunity: this.opts.snmpCommunity,
      domain: this.opts.domain,
    };
  }

  private async tcp(
    host: Host,
    target: string,
    address: string,
    port: number,
    preferred: TcpProtocol | CustomProtocol | null = null,
    portChoice?: PortChoice,
  ): Promise<{ finding: Finding; endpoints: DiscoveredEndpoint[] | null }> {
    const site: ProbeSite = { target, address, protocol: 'tcp', port };
    if (this.signal.aborted) return { finding: aborted(site), endpoints: null };
    const module = this.opts.responder?.tcp ?? (this.opts.appProbes ? (preferred ?? firstStreamModule(port)) : null);
    return tcpProbe({
      target,
      address,
      port,
      timeoutMs: tcpConnectTimeoutMs(this.opts.timeoutMs, this.platform),
      appTimeoutMs: this.opts.appTimeoutMs ?? 3000,
      localAddress: this.opts.localAddress,
      signal: this.signal,
      module,
      ctx: this.ctx(target, address, port),
      facts: { responderMode: Boolean(this.opts.responder), ...(portChoice ? { portChoice } : {}) },
      keepTimedOut: (socket, issuedAt) => host.reach.adopt(socket, issuedAt),
    });
  }

  private get platform(): NodeJS.Platform {
    return this.opts.platform ?? process.platform;
  }

  private async udp(
    host: Host,
    target: string,
    address: string,
    port: number,
    portChoice?: PortChoice,
  ): Promise<Finding> {
    const site: ProbeSite = { target, address, protocol: 'udp', port };
    if (this.signal.aborted) return aborted(site);
    const module = this.opts.responder?.udp ?? firstDatagramModule(port) ?? genericUdp;
    const r = await this.exchange(site, module, host.udp);
    // Once a port is confirmed, the registry's further modules for it add evidence (SNMP: the
    // v3 engine discovery proves the agent, then a v2c get of sysDescr.0 says what it is).
    // They never change the state: the first exchange decided it.
    const followUps = [];
    if (!this.opts.responder && r.recognition?.valid) {
      for (const next of modulesFor('udp', port)) {
        if (next.kind !== 'datagram' || next.id === module.id) continue;
        const once = new UdpHostSchedule({ timeoutMs: this.opts.timeoutMs, retries: 0, signal: this.signal });
        const f = await this.exchange(site, next, once);
        once.close();
        followUps.push({ id: next.id, describe: next.describe, recognition: f.recognition });
      }
    }
    // A platform that cannot see ICMP port unreachable (Windows) hears a closed port as silence.
    const limit = r.state === 'open|filtered' && !this.opts.responder ? udpSilenceLimit(this.platform) : null;
    return {
      site,
      exchange: r,
      conversation: { module, recognition: r.recognition, followUps },
      facts: {
        responderMode: Boolean(this.opts.responder),
        ...(portChoice ? { portChoice } : {}),
        ...(limit ? { platformLimit: limit } : {}),
      },
    };
  }

  private exchange(site: ProbeSite, module: UdpProtocol, schedule: UdpHostSchedule) {
    const port = site.port as number;
    return udpProbe({
      address: site.address as string,
      port,
      module,
      ctx: this.ctx(site.target, site.address as string, port),
      localAddress: this.opts.localAddress,
      signal: this.signal,
      schedule,
      icmpVisible: udpSilenceLimit(this.platform) === null,
    });
  }

  private async icmp(target: string, address: string): Promise<Finding> {
    const site: ProbeSite = { target, address, protocol: 'icmp', port: null };
    if (this.signal.aborted) return aborted(site);
    const r = await ping({
      address,
      count: this.opts.pingCount ?? 2,
      timeoutMs: this.opts.timeoutMs,
      localAddress: this.opts.localAddress,
      signal: this.signal,
    });
    return { site, exchange: r, conversation: null };
  }
}

/** A probe the run was stopped before it started. */
function aborted(site: ProbeSite): Finding {
  return { site, exchange: { ...ABORTED, rttMs: null, attempts: 0 }, conversation: null };
}

/** Nothing came back from the host itself: silence, a timeout, or an unreachable. */
function heardNothing(e: Exchange): boolean {
  return (
    (e.state === 'filtered' || e.state === 'open|filtered') &&
    (e.reason === 'timeout' ||
      e.reason === 'no-reply' ||
      e.reason === 'icmp-unreachable' ||
      e.reason === 'host-unreachable')
  );
}

function firstStreamModule(port: number): TcpProtocol | CustomProtocol | null {
  return (
    (modulesFor('tcp', port).find((m) => m.kind !== 'datagram') as TcpProtocol | CustomProtocol | undefined) ?? null
  );
}

function firstDatagramModule(port: number): UdpProtocol | null {
  return (modulesFor('udp', port).find((m) => m.kind === 'datagram') as UdpProtocol | undefined) ?? null;
}
