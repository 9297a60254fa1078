/**
 * What the run's headline reads of its root causes, kept as counts and a few names, so a
 * streaming run can let each target's root causes go once they are added: the memory is the
 * same at 10 targets and at 10,000 (the headline names at most three targets, three services
 * or three notices, and counts the rest). `headlineWords` (describe.ts) words it.
 *
 * Targets are added one at a time, each with its place in the run's target order (ordinal);
 * in whatever order they come, the names kept are those the headline of the whole result,
 * read in target order, would name.
 */
import { groupByTarget } from '../group-by.js';
import type { HostProblem, RootCause } from '../model.js';

/** Names kept per list: the headline shows at most three before "and N more". */
const SHOWN = 3;

/** A count of distinct entries and the first few of them in run order. */
export interface Sample {
  count: number;
  /** At most three, in run order. */
  first: string[];
}

/** Root causes at one severity that concern ports or ranges: how many, where, in what state. */
export interface PortCauses {
  count: number;
  targets: Sample;
  allExposed: boolean;
  allFiltered: boolean;
  allClosed: boolean;
}

/** What the headline needs of the causes of one severity. */
export interface SeverityFacts {
  /** Root causes of this severity. */
  count: number;
  ports: PortCauses;
  /** Targets with a whole-host cause of this severity, by host problem. */
  hosts: Partial<Record<HostProblem, Sample>>;
  /** Required services the causes break (outage: failing; inconclusive: inconclusive), in run order. */
  services: string[];
}

/** The headline's facts: outages, inconclusive causes, and the optional parts notices trouble. */
export interface HeadlineFacts {
  outage: SeverityFacts;
  inconclusive: SeverityFacts;
  /** "<service> on <target>" for each failing or inconclusive row of a notice. */
  notices: Sample;
}

/** Run-order position of an entry: target ordinal, then its order within the target. */
type Place = [ordinal: number, within: number];

const before = (a: Place, b: Place) => a[0] - b[0] || a[1] - b[1];

/** Counts entries and keeps the first `SHOWN` by place, whatever order they are added in. */
class SampleTally {
  count = 0;
  private readonly first: { place: Place; name: string }[] = [];

  add(name: string, place: Place): void {
    this.count++;
    if (this.first.length === SHOWN && before(place, (this.first.at(-1) as { place: Place }).place) > 0) return;
    this.first.push({ place, name });
    this.first.sort((a, b) => before(a.place, b.place));
    this.first.length = Math.min(this.first.length, SHOWN);
  }

  sample(): Sample {
    return { count: this.count, first: this.first.map((f) => f.name) };
  }
}

class SeverityTally {
  count = 0;
  private ports = 0;
  private readonly portTargets = new SampleTally();
  private allExposed = true;
  private allFiltered = true;
  private allClosed = true;
  private readonly hosts = new Map<HostProblem, SampleTally>();
  /** Service name -> where it was first named; bounded by the catalog's services. */
  private readonly services = new Map<string, Place>();

  constructor(private readonly serviceStatus: 'fail' | 'inconclusive') {}

  /** One target's causes of this severity. */
  add(target: string, ordinal: number, causes: readonly RootCause[]): void {
    let portsHere = false;
    const hostsHere = new Set<HostProblem>();
    causes.forEach((c, i) => {
      this.count++;
      if (c.scope === 'host') {
        if (c.host) hostsHere.add(c.host);
      } else {
        this.ports++;
        portsHere = true;
        this.allExposed &&= Boolean(c.exposed);
        this.allFiltered &&= c.state === 'filtered';
        this.allClosed &&= c.state === 'closed';
      }
      c.affects.forEach((a, j) => {
        if (a.requirement !== 'required' || a.status !== this.serviceStatus || a.absent) return;
        const place: Place = [ordinal, i * 10_000 + j];
        const seen = this.services.get(a.serviceName);
        if (!seen || before(place, seen) < 0) this.services.set(a.serviceName, place);
      });
    });
    if (portsHere) this.portTargets.add(target, [ordinal, 0]);
    for (const host of hostsHere) {
      const tally = this.hosts.get(host) ?? new SampleTally();
      tally.add(target, [ordinal, 0]);
      this.hosts.set(host, tally);
    }
  }

  facts(): SeverityFacts {
    return {
      count: this.count,
      ports: {
        count: this.ports,
        targets: this.portTargets.sample(),
        allExposed: this.allExposed,
        allFiltered: this.allFiltered,
        allClosed: this.allClosed,
      },
      hosts: Object.fromEntries([...this.hosts].map(([host, tally]) => [host, tally.sample()])),
      services: [...this.services].sort((a, b) => before(a[1], b[1])).map(([name]) => name),
    };
  }
}

/** The headline's facts, added target by target. */
export class HeadlineTally {
  private readonly outage = new SeverityTally('fail');
  private readonly inconclusive = new SeverityTally('inconclusive');
  private readonly notices = new SampleTally();

  /** One target's root causes (each target once, under one name), with its place in the run's target order. */
  add(target: string, ordinal: number, causes: readonly RootCause[]): void {
    this.outage.add(
      target,
      ordinal,
      causes.filter((c) => c.severity === 'outage'),
    );
    this.inconclusive.add(
      target,
      ordinal,
      causes.filter((c) => c.severity === 'inconclusive'),
    );
    // Absent optional services and untestable rows are normal on a healthy server: not worth a headline.
    const troubled = new Set(
      causes
        .filter((c) => c.severity === 'notice')
        .flatMap((c) =>
          c.affects
            .filter((a) => !a.absent && (a.status === 'fail' || a.status === 'inconclusive'))
            .map((a) => `${a.serviceName} on ${c.target}`),
        ),
    );
    let within = 0;
    for (const text of troubled) this.notices.add(text, [ordinal, within++]);
  }

  facts(): HeadlineFacts {
    return { outage: this.outage.facts(), inconclusive: this.inconclusive.facts(), notices: this.notices.sample() };
  }

  /** The tally of causes already in run order (a whole result): grouped by target, in order of first appearance. */
  static of(causes: readonly RootCause[]): HeadlineTally {
    const tally = new HeadlineTally();
    let ordinal = 0;
    for (const [target, list] of groupByTarget(causes)) tally.add(target, ordinal++, list);
    return tally;
  }
}
