/**
 * The probe engine: turns (expectations x target addresses) into deduplicated probes,
 * runs them under one scheduler, and returns every observation with the links that
 * say which observations decide which expectation. Dynamic RPC ranges are probed from
 * the endpoint mapper's answer when 135/tcp gives one, else from a sample of the range.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { parseRange } from '../catalog/port-sets.js';
import type { Expectation, Observation } from '../model.js';
import { tcpConnectTimeoutMs, udpSilenceLimit } from '../platform/probe-limits.js';
import { genericUdp } from '../protocols/generic-udp.js';
import { moduleById, modulesFor } from '../protocols/index.js';
import type { CustomProtocol, DiscoveredEndpoint, ProbeContext, TcpProtocol, UdpProtocol } from '../protocols/types.js';
import { ping } from './icmp.js';
import { sampleRange } from './rpc-sample.js';
import { Scheduler } from './scheduler.js';
import { round, tcpProbe } from './tcp-probe.js';
import { udpProbe } from './udp.js';
import { UdpPacer } from './udp-pacer.js';

export interface EngineTarget {
  name: string;
  addresses: string[];
}

export interface EngineOptions {
  /** TCP connect timeout and UDP per-attempt wait. @default 1500 */
  timeoutMs: number;
  /** UDP retransmissions after the first datagram. @default 2 */
  retries: number;
  /** @default 256 */
  concurrency: number;
  /** @default 32 */
  perHost: number;
  localAddress?: string;
  /** Protocol conversations after the TCP handshake. @default true */
  appProbes: boolean;
  /** `sample` K ports of a range, `sweep` all of it; endpoint-mapper discovery comes first unless `sweep`. */
  rpcMode: 'sample' | 'sweep';
  rpcSample: number;
  /** Deadline for a protocol conversation. @default 3000 */
  appTimeoutMs?: number;
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
  notes: string[];
}

export const linkKey = (target: string, expectationKey: string) => `${target}\u0000${expectationKey}`;

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
  return { observations: run.observations, links: run.links, notes: run.notes };
}

class Run {
  readonly observations: Observation[] = [];
  readonly links = new Map<string, number[]>();
  readonly notes: string[] = [];
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
    // One probe per (protocol, port) per address, however many services share it.
    const probes = new Map<string, Promise<number>>();
    const once = (key: string, make: () => Promise<Observation>) => {
      let p = probes.get(key);
      if (!p) {
        this.total++;
        p = this.scheduled(address, make).then((o) => this.record(o, address));
        probes.set(key, p);
      }
      return p;
    };
    let endpoints: Promise<DiscoveredEndpoint[] | null> = Promise.resolve(null);
    const epmWanted = this.opts.appProbes && !this.opts.responder && this.opts.rpcMode !== 'sweep';
    const portProbe = (protocol: 'tcp' | 'udp', port: number) =>
      once(`${protocol}/${port}`, async () => {
        if (protocol === 'udp') return this.udp(target, address, port);
        const result = await this.tcp(target, address, port);
        return result.observation;
      });
    // The endpoint mapper's answer decides which dynamic ports to probe, so 135/tcp keeps its endpoints.
    if (epmWanted && expectations.some((e) => e.portSet === 'rpc-dynamic' && e.protocol === 'tcp')) {
      let found: DiscoveredEndpoint[] | null = null;
      const epm = once('tcp/135', async () => {
        const r = await this.tcp(target, address, 135);
        found = r.endpoints;
        return r.observation;
      });
      endpoints = epm.then((index) => {
        if (!found) {
          this.note(
            `${target} (${address}): the endpoint mapper on 135/tcp listed no endpoints (${this.observations[index]?.state}); dynamic RPC ranges were judged from ${this.opts.rpcSample} sampled ports instead.`,
          );
        }
        return found;
      });
    }
    await Promise.all(
      expectations.map(async (e) => {
        const indexes = await this.expectationProbes(e, target, address, once, portProbe, endpoints);
        const key = linkKey(target, e.key);
        this.links.set(key, [...(this.links.get(key) ?? []), ...indexes]);
      }),
    );
  }

  private async expectationProbes(
    e: Expectation,
    target: string,
    address: string,
    once: (key: string, make: () => Promise<Observation>) => Promise<number>,
    portProbe: (protocol: 'tcp' | 'udp', port: number) => Promise<number>,
    endpoints: Promise<DiscoveredEndpoint[] | null>,
  ): Promise<number[]> {
    if (e.protocol === 'icmp') return [await once('icmp', () => this.icmp(target, address))];
    if (e.protocol === 'ip') return [await once(`ip/${e.ipProtocol}`, async () => untestableIp(target, address, e))];
    const protocol = e.protocol;
    if (e.port !== null) return [await portProbe(protocol, e.port)];
    if (e.range === null) return [];
    const range = parseRange(e.range);
    if (e.portSet === 'rpc-dynamic' && protocol === 'tcp') {
      const found = await endpoints;
      const discovered = found ? this.discoveredPorts(found, range, target, address, e.range) : null;
      if (discovered) {
        // Ask each endpoint for an RPC bind, and say which interfaces the mapper put there.
        return Promise.all(
          [...discovered].map(async ([port, names]) => {
            const index = await once(
              `tcp/${port}`,
              async () => (await this.tcp(target, address, port, RPC_BIND)).observation,
            );
            const line = `endpoint mapper: ${names.join(', ')} registered on ${port}/tcp`;
            const evidence = this.observations[index]?.evidence;
            if (evidence && !evidence.includes(line)) evidence.unshift(line);
            return index;
          }),
        );
      }
    }
    const k = this.opts.rpcMode === 'sweep' ? Number.POSITIVE_INFINITY : this.opts.rpcSample;
    return Promise.all(sampleRange(range.first, range.last, k).map((port) => portProbe(protocol, port)));
  }

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
    if (ports.size === 0) {
      this.note(
        `${target} (${address}): the endpoint mapper answered but listed no TCP endpoint in ${text}; sampled ${this.opts.rpcSample} ports of the range instead.`,
      );
      return null;
    }
    return ports;
  }

  private note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  private scheduled<T>(address: string, task: () => Promise<T>): Promise<T> {
    return this.scheduler.run(address, task);
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
  ) {
    if (this.signal.aborted) return { observation: aborted(target, address, 'tcp', port), endpoints: null };
    const module = this.opts.responder?.tcp ?? (this.opts.appProbes ? (preferred ?? firstStreamModule(port)) : null);
    const result = await tcpProbe({
      target,
      address,
      port,
      timeoutMs: tcpConnectTimeoutMs(this.opts.timeoutMs, this.opts.platform ?? process.platform),
      appTimeoutMs: this.opts.appTimeoutMs ?? 3000,
      localAddress: this.opts.localAddress,
      signal: this.signal,
      module,
      ctx: this.ctx(target, address, port),
    });
    if (this.opts.responder) asResponderObservation(result.observation);
    return result;
  }

  private async udp(target: string, address: string, port: number): Promise<Observation> {
    if (this.signal.aborted) return aborted(target, address, 'udp', port);
    const module = this.opts.responder?.udp ?? firstDatagramModule(port) ?? genericUdp;
    const r = await udpProbe({
      address,
      port,
      module,
      ctx: this.ctx(target, address, port),
      timeoutMs: this.opts.timeoutMs,
      retries: this.opts.retries,
      localAddress: this.opts.localAddress,
      signal: this.signal,
      pacer: this.pacer,
    });
    const recognition = r.recognition;
    const observation: Observation = {
      target,
      address,
      protocol: 'udp',
      port,
      state: r.state,
      reason: r.reason,
      rttMs: round(r.rttMs),
      attempts: r.attempts,
      evidence: [],
      warnings: recognition?.warnings ?? [],
      module: module.id,
      error: r.error,
    };
    if (recognition) {
      observation.confirmed = recognition.valid;
      observation.evidence = recognition.valid
        ? recognition.evidence
        : [`${module.id}: unrecognised reply (${recognition.reason ?? 'unknown'})`, ...recognition.evidence];
    } else if (r.state === 'open|filtered') {
      if (this.opts.responder) {
        // The responder answers every well-formed probe: its silence means the path drops them.
        observation.state = 'filtered';
        observation.evidence = ['no answer from the portolan responder'];
      } else if (module.silentByDesign) {
        observation.evidence = [module.silentByDesign];
      } else if (module.replyFromOtherPort) {
        observation.evidence = [`${module.id} answers from another port, so ICMP port-unreachable cannot be seen`];
      }
      const limit = this.opts.responder ? null : udpSilenceLimit(this.opts.platform ?? process.platform);
      if (limit && !module.replyFromOtherPort) {
        observation.platformLimit = limit.platformLimit;
        observation.evidence.push(limit.evidence);
      }
    }
    if (this.opts.responder) asResponderObservation(observation);
    else if (observation.confirmed) await this.followUps(observation, module);
    return observation;
  }

  /**
   * Once a port is confirmed, the registry's further modules for it add evidence (SNMP: the
   * v3 engine discovery proves the agent, then a v2c get of sysDescr.0 with the community
   * says what it is). They never change the state: the first exchange decided it.
   */
  private async followUps(o: Observation, first: UdpProtocol): Promise<void> {
    const port = o.port as number;
    const address = o.address as string;
    const rest = modulesFor('udp', port).filter((m): m is UdpProtocol => m.kind === 'datagram' && m.id !== first.id);
    for (const module of rest) {
      const r = await udpProbe({
        address,
        port,
        module,
        ctx: this.ctx(o.target, address, port),
        timeoutMs: this.opts.timeoutMs,
        retries: 0,
        localAddress: this.opts.localAddress,
        signal: this.signal,
        pacer: this.pacer,
      });
      const said = r.recognition?.valid
        ? r.recognition.evidence
        : [`${module.id}: no reply to the follow-up (${r.recognition?.reason ?? module.describe})`];
      o.evidence.push(...said);
      o.warnings.push(...(r.recognition?.warnings ?? []));
    }
  }

  private async icmp(target: string, address: string): Promise<Observation> {
    const base = { target, address, protocol: 'icmp' as const, port: null, evidence: [], warnings: [], module: null };
    if (this.signal.aborted) return { ...aborted(target, address, 'icmp', null) };
    const r = await ping({
      address,
      count: this.opts.pingCount ?? 2,
      timeoutMs: this.opts.timeoutMs,
      localAddress: this.opts.localAddress,
      signal: this.signal,
    });
    const { state, reason, attempts, evidence, error } = r;
    return { ...base, state, reason, rttMs: round(r.rttMs), attempts, evidence, error };
  }
}

/**
 * Responder mode: a verified reply is `open`/`responder`. Anything else that answered
 * (a wrong token, clock skew, another service on the port) stays `open`, since the path
 * is open, with a warning the verdict treats as inconclusive.
 */
function asResponderObservation(o: Observation): void {
  if (o.state !== 'open') return;
  if (o.confirmed) {
    o.reason = 'responder';
    return;
  }
  const said = o.evidence.find((e) => e.startsWith('a portolan responder')) ?? o.evidence[0];
  o.warnings.push(said ?? 'the port answered, but not as the portolan responder');
}

function firstStreamModule(port: number): TcpProtocol | CustomProtocol | null {
  return (
    (modulesFor('tcp', port).find((m) => m.kind !== 'datagram') as TcpProtocol | CustomProtocol | undefined) ?? null
  );
}

function firstDatagramModule(port: number): UdpProtocol | null {
  return (modulesFor('udp', port).find((m) => m.kind === 'datagram') as UdpProtocol | undefined) ?? null;
}

function aborted(target: string, address: string, protocol: 'tcp' | 'udp' | 'icmp', port: number | null): Observation {
  return {
    target,
    address,
    protocol,
    port,
    state: 'error',
    reason: 'aborted',
    rttMs: null,
    attempts: 0,
    evidence: [],
    warnings: [],
    module: null,
    error: 'the run was stopped before this probe started',
  };
}

const IP_ADVICE: Record<number, string> = {
  47: 'GRE (IP protocol 47) cannot be tested by connecting: check that PPTP 1723/tcp passes, then look for GRE in a packet capture while a VPN client connects.',
  50: 'IPsec ESP (IP protocol 50) cannot be tested without an IPsec peer: check IKE 500/udp and NAT-T 4500/udp, then whether security associations form (Get-NetIPsecMainModeSA on the server).',
  51: 'IPsec AH (IP protocol 51) cannot be tested without an IPsec peer: check IKE 500/udp, then whether security associations form (Get-NetIPsecQuickModeSA on the server).',
};

function untestableIp(target: string, address: string, e: Expectation): Observation {
  return {
    target,
    address,
    protocol: 'ip',
    port: null,
    ipProtocol: e.ipProtocol,
    state: 'untestable',
    reason: 'not-probed',
    rttMs: null,
    attempts: 0,
    evidence: [],
    warnings: [],
    module: null,
    error:
      IP_ADVICE[e.ipProtocol ?? -1] ??
      `IP protocol ${e.ipProtocol} cannot be tested by connecting; a packet capture on the target settles it.`,
  };
}
