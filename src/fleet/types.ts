/**
 * The fleet view: many vantage points' results merged into one source x target matrix and
 * the root causes across the fleet. Connectivity is a property of (source, target): the same
 * port can be open from one site and filtered from another, and which of the two happened
 * says where to look (the target's host firewall, or the path from one site).
 *
 * Built purely by `mergeFleet` (merge.ts) from RunResults; words are made from these facts
 * in describe-fleet.ts and the fleet renderers. `portolan merge/matrix --format json` prints
 * this object (checks/schema/fleet.schema.json).
 */
import type {
  ComplianceStatus,
  FindingSeverity,
  HostProblem,
  ProbeState,
  Reason,
  ServiceStatus,
  Transport,
} from '../model.js';

/** One vantage point, with the runs of it that went into the view. */
export interface FleetSource {
  /** `run.source.name`: the matrix row. */
  name: string;
  labels: Record<string, string>;
  hostnames: string[];
  /** Where each run came from: a file path or `history run 12`; newest first. */
  runs: FleetRun[];
}

export interface FleetRun {
  origin: string;
  startedAt: string;
  /** `I/N` for a sharded run, else null. */
  shard: string | null;
  incomplete: boolean;
  toolVersion: string;
  catalogDigest: string;
}

/** A root cause of one source's run, as a matrix cell lists it. */
export interface CellCause {
  /** The run's `RootCause.id` ("dc1.corp.example udp/88"), stable across sources. */
  id: string;
  /** "88/udp", "49152-65535/tcp", "icmp", "host". */
  port: string;
  /** Null for a whole-target cause. */
  protocol: Transport | null;
  severity: FindingSeverity;
  state: ProbeState | null;
  reason: Reason | null;
  host: HostProblem | null;
  /** Required services it breaks (names), then optional ones. */
  services: string[];
}

/** One (source, target) of the matrix: what that vantage point saw of that target. */
export interface FleetCell {
  source: string;
  target: string;
  roles: string[];
  /** The worst of the target's verdicts (one per role) from this source. */
  status: ComplianceStatus;
  /** The target could not be probed from this source (its name did not resolve there). */
  error: string | null;
  services: { role: string | null; service: string; serviceName: string; status: ServiceStatus }[];
  /** Root causes from this source for this target, outages first (waived and notices included). */
  causes: CellCause[];
  /** Index into the source's `runs` of the run this cell comes from. */
  run: number;
}

/**
 * Where a fleet root cause points:
 * `target`: every source that probed the target sees it: the target's host firewall, or the
 * service on it (it is not the path of any one site);
 * `path`: some sources see it and others reach the same port: the path from those sources
 * (a network firewall or ACL of their site or segment);
 * `undecided`: only one source probed the target, so host and path cannot be told apart.
 */
export type FleetSuspect = 'target' | 'path' | 'undecided';

/** One root cause across the fleet: a (target, port) or a whole target, and which sources see it. */
export interface FleetCause {
  /** The per-run root cause id ("dc1.corp.example udp/88"). */
  id: string;
  target: string;
  port: string;
  protocol: Transport | null;
  /** The worst severity any source saw. */
  severity: Extract<FindingSeverity, 'outage' | 'inconclusive'>;
  /** Sources where it is an outage. */
  failing: string[];
  /** Sources where it has no definite answer. */
  unsure: string[];
  /** Sources that probed the target and reached this port (no root cause there). */
  clear: string[];
  /** Sources where the whole target failed (host scope), which hides this port. */
  hidden: string[];
  suspect: FleetSuspect;
  /** Labels every failing source carries and no clear source has the same value for: the site to look at. */
  sharedLabels: Record<string, string>;
  /** The states seen where it fails, each once ("filtered", "closed"). */
  states: ProbeState[];
  /** Services it breaks (names) on any source. */
  services: string[];
  /** One sentence an administrator acts on (describe-fleet.ts). */
  explanation: string;
}

/** Something about the merge as a whole that a reader should know. */
export type FleetNote =
  /** The runs used different catalogs: the same port may be required in one and not another. */
  | { kind: 'mixed-catalogs'; digests: string[] }
  | { kind: 'mixed-versions'; versions: string[] }
  | { kind: 'incomplete-run'; source: string; origin: string }
  /** Two runs of one source probed the same target: the newer one counts. */
  | { kind: 'superseded'; source: string; target: string; kept: string; dropped: string }
  /** A sharded source whose shards do not cover all N. */
  | { kind: 'shards-missing'; source: string; count: number; missing: number[] };

export interface FleetView {
  fleetVersion: 1;
  tool: { name: 'portolan'; version: string };
  sources: FleetSource[];
  /** Every target any source probed, in first-seen order. */
  targets: string[];
  /** Source-major: every (source, target) a source probed; a missing pair was not probed from there. */
  cells: FleetCell[];
  /** Outages first, then by the number of failing sources. */
  causes: FleetCause[];
  notes: FleetNote[];
  /** Sentences for `notes`. */
  noteText: string[];
  summary: {
    status: ComplianceStatus;
    /** 0 every cell compliant, 1 any non-compliant, 3 only inconclusive ones. */
    exitCode: number;
    headline: string;
    cells: { compliant: number; nonCompliant: number; inconclusive: number };
  };
}
