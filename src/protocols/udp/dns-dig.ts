/**
 * DNS through the system `dig` (node-dig-dns), over UDP and then over TCP.
 *
 * Sends: the same question as the datagram `dns` module (SOA of the domain, else root NS),
 * `+norecurse +time=1 +tries=1`, bound to `localAddress` with `-b` when given.
 * Recognised: dig parsed a reply (a question section and a numeric size); node-dig-dns
 * resolves with garbage on timeouts, so `!question || NaN size` is a failure (toolchain.md §4).
 * Proves: a DNS server answers over UDP; the TCP leg says whether DNS over TCP 53 also
 * works (needed for large answers and zone transfers), reported as evidence or a warning.
 * Caveats: needs `dig` (Debian `dnsutils`); node-dig-dns cannot kill dig, so an abort
 * only stops waiting: dig itself ends after about 1 s because of `+time=1 +tries=1`.
 * Ref: RFC 1035 §4.1, §4.2.2 (TCP).
 */
import dig from 'node-dig-dns';
import type { CustomProtocol, ProbeContext, Recognition } from '../types.js';
import { dnsQuestion } from './dns.js';
import { recognized, rejected } from './recognition.js';

type DigContext = ProbeContext & { signal: AbortSignal; localAddress?: string; timeoutMs: number };

interface Leg {
  ok: boolean;
  text: string;
}

/** Where dig lives; tests point this at a stub. @default 'dig' (PATH) */
export interface DigOptions {
  digPath?: string;
}

function waitOrAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function leg(ctx: DigContext, tcp: boolean, options: DigOptions): Promise<Leg> {
  const q = dnsQuestion(ctx);
  const args = [`@${ctx.address}`, '-p', String(ctx.port), q.name, q.type, '+norecurse', '+time=1', '+tries=1'];
  if (tcp) args.push('+tcp');
  if (ctx.localAddress) args.push('-b', ctx.localAddress);
  const transport = tcp ? 'TCP' : 'UDP';
  try {
    const r = await waitOrAbort(dig(args, { raw: false, dig: options.digPath }), ctx.signal);
    const headerText = (r.header ?? []).flat().join(' ');
    if (!r.question || Number.isNaN(r.size)) {
      const why = /communications error[^;]*|timed out|connection refused/i.exec(headerText)?.[0] ?? 'no reply';
      return { ok: false, text: `DNS over ${transport}: ${why}` };
    }
    const status = /status: ([A-Z]+)/.exec(headerText)?.[1] ?? 'unknown status';
    const aa = /flags:[^;]*\baa\b/.test(headerText) ? ', authoritative (AA)' : '';
    const answers = r.answer?.length ?? 0;
    return { ok: true, text: `DNS over ${transport} answered ${q.type} ${q.name}: ${status}${aa}, ${answers} answers` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'ENOENT') throw e;
    if (ctx.signal.aborted) return { ok: false, text: `DNS over ${transport}: aborted` };
    return { ok: false, text: `DNS over ${transport}: ${e?.message || 'dig failed'}` };
  }
}

/** Query over UDP, then TCP; valid when the UDP leg answered (this module stands for UDP 53). */
export async function digProbe(ctx: DigContext, options: DigOptions = {}): Promise<Recognition> {
  try {
    const udp = await leg(ctx, false, options);
    const tcp = ctx.signal.aborted
      ? { ok: false, text: 'DNS over TCP: not tried (aborted)' }
      : await leg(ctx, true, options);
    if (!udp.ok) return { ...rejected(udp.text), evidence: tcp.ok ? [tcp.text] : [] };
    return tcp.ok ? recognized([udp.text, tcp.text]) : recognized([udp.text], [`${tcp.text}: large answers will fail`]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
      return rejected('dig is not installed (apt-get install dnsutils)');
    }
    throw err;
  }
}

export const dnsDig: CustomProtocol = {
  kind: 'custom',
  id: 'dns-dig',
  transport: 'udp',
  ports: [53],
  describe:
    'DNS query through dig over UDP and TCP; a parsed reply on UDP proves a DNS server, the TCP leg is reported',
  run: (ctx) => digProbe(ctx),
};
