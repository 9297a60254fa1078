/**
 * One DNS query to the target through the system `dig` (node-dig-dns), over UDP or TCP.
 *
 * Sends: the same question as the datagram `dns` module (SOA of the domain, else root NS),
 * `+norecurse +time=1 +tries=1`, bound to `localAddress` with `-b` when given.
 * Recognised: dig parsed a reply (a question section and a numeric size); node-dig-dns
 * resolves with garbage on timeouts, so `!question || NaN size` is a failure (toolchain.md §4).
 * Caveats: needs `dig` (Debian `dnsutils`): without it this throws ENOENT for the caller to
 * fall back; node-dig-dns cannot kill dig, so an abort only stops waiting (dig ends after
 * about 1 s because of `+time=1 +tries=1`).
 * Ref: RFC 1035 §4.1, §4.2.2 (TCP).
 */
import dig from 'node-dig-dns';
import type { CustomProbeContext } from '../types.js';
import { dnsQuestion } from '../udp/dns.js';

export interface Leg {
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

/** One dig query over UDP or TCP; throws ENOENT when dig is not installed. */
export async function digLeg(ctx: CustomProbeContext, tcp: boolean, options: DigOptions = {}): Promise<Leg> {
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
