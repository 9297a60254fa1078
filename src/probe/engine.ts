/**
 * The probe engine: turns (expectations x target addresses) into deduplicated probes,
 * runs them under one scheduler, and returns every observation with the links that say
 * which observations decide which expectation, plus typed notes about fallbacks taken.
 * Each observation is built once, complete, by `observation.ts` and never changed after.
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
import { ping } from './icmp.js';
import { abortedObservation, buildObservation, type ProbeSite, untestableObservation } from './observation.js';
import { sampleRange } from './rpc-sample.js';
import { Scheduler } from './scheduler.js';
import { tcpProbe } from './tcp-probe.js';
import { udpProbe } from './udp.js';
import { UdpPacer } from './udp-pacer.js';

export interface EngineTarget {
  name: string;
  addresses: string[];
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
  localAddress?: string;
  /** Protocol conversations after the TCP handshake. */
  appProbes: boolean;
  /** Dynamic RPC ranges: ask the endpoint mapper first, sample, or sweep every port. */
  rpcMode: 'discover' | 'sample' | 'sweep';
  /** Ports of a range to sample. */
  rpcSample: number;
  /** Deadline for a protocol conversation. @default 3000 */
  appTimeoutMs?: number;
  /** Echo requests per ICMP probe. @default 2 */
  pingCount?: number;
  /** Gap between paced UDP retransmissions to one host (ICMP rate limits). @default 1100 */
  udpPaceMs?: number;
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

export interface EngineOutput {
  observations: Observation[];
  /** `${target}\u0000${expectation.key}` -> indexes into `observations`. */
  links: Map<string, number[]>;
  notes: RunNote[];
}

export const linkKey = (target: string, expectationKey: string) => `${target}\u0000${expectationKey}`;

/** Discovered ports probed per range at most: a hostile mapper cannot make us probe thousands. */
const MAX_DISCOVERED = 64;

/** The bind-only RPC module, for dynamic ports the endpoint mapper listed. */
const RPC_BIND = (moduleById('msrpc') as TcpProtocol | undefined) ?? null;

export async function runEngine(
  expectations: Expectation[],
  targets: EngineTarget[],
  opts: EngineOptions,
  hooks: EngineHooks = {},
): Promise<EngineOutput> {
  const signal = hooks.signal ?? new AbortController().signal;
  // Every in-flight probe listens on the run's signal; thousands at once are expected, not a leak.
  setMaxListeners(0, signal);
  const run = new Run(opts, signal, hooks.onProgress);
  const work: Promise<void>[] = [];
  for (const target of targets) {
    for (const address of target.addresses) work.push(run.probeAddress(target.name, address, expectations));
  }
  await Promise.all(work);
  return { observations: run.observations, links: run.links, notes: [...run.notes.values()] };
}

type Once = (key: string, make: () => Promise<Observation>) => Promise<number>;

class Run {
  readonly observations: Observation[] = [];
  readonly links = new Map<string, number[]>();
  /** Keyed by their JSON, so each note is kept once. */
  readonly notes = new Map<string, RunNote>();
  private readonly scheduler: Scheduler;
  private readonly pacer: UdpPacer;
  private done = 0;
  private total = 0;

  constructor(
    private readonly opts: EngineOptions,
    private readonly signal: AbortSignal,
    private readonly onProgress?: (done: number, total: number, host: string) => void,
  ) {
    this.scheduler = new Scheduler(opts.concurrency, opts.perHost);
    this.pacer = new UdpPacer(opts.udpPaceMs ?? 1100);
  }

  async probeAddress(target: string, address: string, expectations: Expectation[]): Promise<void> {
    // One probe per key per address, however many expectations share it. Range ports get keys
    // of their own (`tcp/49667/discovered`), so each observation carries how its port was chosen.
    const probes = new Map<string, Promise<number>>();
    const once: Once = (key, make) => {
      let p = probes.get(key);
      if (!p) {
        this.total++;
        p = this.scheduler.run(address, make).then((o) => this.record(o, address));
        probes.set(key, p);
      }
      return p;
    };
    let endpoints: Promise<DiscoveredEndpoint[] | null> = Promise.resolve(null);
    const discover = this.opts.rpcMode === 'discover' && this.opts.appProbes && !this.opts.responder;
    // The endpoint mapper's answer decides which dynamic ports to probe, so 135/tcp keeps its endpoints.
    if (discover && expectations.some((e) => e.portSet === 'rpc-dynamic' && e.protocol === 'tcp')) {
      let found: DiscoveredEndpoint[] | null = null;
      const epm = once('tcp/135', async () => {
        const r = await this.tcp(target, address, 135);
        found = r.endpoints;
        return r.observation;
      });
      endpoints = epm.then((index) => {
        if (!found) {
          const state = this.observations[index]?.state ?? 'error';
          this.note({ kind: 'epm-silent', target, address, state, sample: this.opts.rpcSample });
        }
        return found;
      });
    }
    await Promise.all(
      expectations.map(async (e) => {
        const indexes = await this.expectationProbes(e, target, address, once, endpoints);
        const key = linkKey(target, e.key);
        this.links.set(key, [...(this.links.get(key) ?? []), ...indexes]);
      }),
    );
  }

  private async expectationProbes(
    e: Expectation,
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
          ? this.udp(target, address, port, choice)
          : (await this.tcp(target, address, port, null, choice)).observation,
      );
    if (e.port !== null) return [await portProbe(e.port)];
    if (e.range === null) return [];
    const range = parseRange(e.range);
    if (e.portSet === 'rpc-dynamic' && protocol === 'tcp') {
      const found = await endpoints;
      const discovered = found ? this.discoveredPorts(found, range, target, address, e.range) : null;
      if (discovered) {
        // Ask each endpoint for an RPC bind; the observation names the interfaces the mapper put there.
        return Promise.all(
          [...discovered].map(([port, interfaces]) =>
            once(`tcp/${port}/discovered`, async () => {
              const choice: PortChoice = { kind: 'discovered', interfaces };
              return (await this.tcp(target, address, port, RPC_BIND, choice)).observation;
            }),
          ),
        );
      }
    }
    const k = this.opts.rpcMode === 'sweep' ? Number.POSITIVE_INFINITY : this.opts.rpcSample;
    return Promise.all(sampleRange(range.first, range.last, k).map((port) => portProbe(port, { kind: 'sampled' })));
  }

  /** The listed TCP ports within the range, each with the names of the interfaces there; null when none. */
  private discoveredPorts(
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
    this.note({ kind: 'epm-none-in-range', target, address, range: text, sample: this.opts.rpcSample });
    return null;
  }

  private note(note: RunNote): void {
    this.notes.set(JSON.stringify(note), note);
  }

  private record(o: Observation, host: string): number {
    this.observations.push(o);
    this.done++;
    this.onProgress?.(this.done, this.total, host);
    return this.observations.length - 1;
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
    target: string,
    address: string,
    port: number,
    preferred: TcpProtocol | CustomProtocol | null = null,
    portChoice?: PortChoice,
  ) {
    if (this.signal.aborted) {
      return { observation: abortedObservation({ target, address, protocol: 'tcp', port }), endpoints: null };
    }
    const module = this.opts.responder?.tcp ?? (this.opts.appProbes ? (preferred ?? firstStreamModule(port)) : null);
    return tcpProbe({
      target,
      address,
      port,
      timeoutMs: tcpConnectTimeoutMs(this.opts.timeoutMs, this.opts.platform ?? process.platform),
      appTimeoutMs: this.opts.appTimeoutMs ?? 3000,
      localAddress: this.opts.localAddress,
      signal: this.signal,
      module,
      ctx: this.ctx(target, address, port),
      facts: { responderMode: Boolean(this.opts.responder), ...(portChoice ? { portChoice } : {}) },
    });
  }

  private async udp(target: string, address: string, port: number, portChoice?: PortChoice): Promise<Observation> {
    const site: ProbeSite = { target, address, protocol: 'udp', port };
    if (this.signal.aborted) return abortedObservation(site);
    const module = this.opts.responder?.udp ?? firstDatagramModule(port) ?? genericUdp;
    const r = await this.exchange(site, module, this.opts.retries);
    // Once a port is confirmed, the registry's further modules for it add evidence (SNMP: the
    // v3 engine discovery proves the agent, then a v2c get of sysDescr.0 says what it is).
    // They never change the state: the first exchange decided it.
    const followUps = [];
    if (!this.opts.responder && r.recognition?.valid) {
      for (const next of modulesFor('udp', port)) {
        if (next.kind !== 'datagram' || next.id === module.id) continue;
        const f = await this.exchange(site, next, 0);
        followUps.push({ id: next.id, describe: next.describe, recognition: f.recognition });
      }
    }
    // A platform that cannot see ICMP port unreachable (Windows) hears a closed port as silence.
    const limit =
      r.state === 'open|filtered' && !this.opts.responder && !module.replyFromOtherPort
        ? udpSilenceLimit(this.opts.platform ?? process.platform)
        : null;
    return buildObservation(
      site,
      r,
      { module, recognition: r.recognition, followUps },
      {
        responderMode: Boolean(this.opts.responder),
        ...(portChoice ? { portChoice } : {}),
        ...(limit ? { platformLimit: limit } : {}),
      },
    );
  }

  private exchange(site: ProbeSite, module: UdpProtocol, retries: number) {
    const port = site.port as number;
    return udpProbe({
      address: site.address,
      port,
      module,
      ctx: this.ctx(site.target, site.address, port),
      timeoutMs: this.opts.timeoutMs,
      retries,
      localAddress: this.opts.localAddress,
      signal: this.signal,
      pacer: this.pacer,
    });
  }

  private async icmp(target: string, address: string): Promise<Observation> {
    const site: ProbeSite = { target, address, protocol: 'icmp', port: null };
    if (this.signal.aborted) return abortedObservation(site);
    const r = await ping({
      address,
      count: this.opts.pingCount ?? 2,
      timeoutMs: this.opts.timeoutMs,
      localAddress: this.opts.localAddress,
      signal: this.signal,
    });
    return buildObservation(site, r, null);
  }
}

function firstStreamModule(port: number): TcpProtocol | CustomProtocol | null {
  return (
    (modulesFor('tcp', port).find((m) => m.kind !== 'datagram') as TcpProtocol | CustomProtocol | undefined) ?? null
  );
}

function firstDatagramModule(port: number): UdpProtocol | null {
  return (modulesFor('udp', port).find((m) => m.kind === 'datagram') as UdpProtocol | undefined) ?? null;
}
