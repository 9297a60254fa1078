/**
 * DNS over TCP 53 (RFC 1035 §4.2.2; RFC 7766 says every DNS server must serve it).
 * Sends: the `dns` module's question, through the system `dig +tcp` where dig exists
 * (`clients/dig.ts`), otherwise our own length-prefixed query on a fresh connection
 * (`clients/dns-over-tcp.ts`).
 * Recognised: a DNS reply to our question (same id, QR set) over TCP.
 * Proves: the server answers DNS over TCP, which large answers, zone transfers and DNSSEC need.
 */
import { digLeg } from '../clients/dig.js';
import { dnsExchangeOverTcp } from '../clients/dns-over-tcp.js';
import { recognized, rejected } from '../recognition.js';
import type { CustomProbeContext, CustomProtocol, Recognition } from '../types.js';
import { dns } from '../udp/dns.js';

export async function dnsOverTcp(ctx: CustomProbeContext, digPath?: string): Promise<Recognition> {
  try {
    const leg = await digLeg(ctx, true, { digPath });
    return leg.ok ? recognized([leg.text]) : rejected(leg.text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
  }
  const reply = await dnsExchangeOverTcp(ctx, dns.buildRequest(ctx));
  const result = dns.recognize(reply, ctx);
  return { ...result, evidence: [...result.evidence, 'over TCP (own query: dig is not installed)'] };
}

export const dnsTcp: CustomProtocol = {
  kind: 'custom',
  id: 'dns-tcp',
  transport: 'tcp',
  ports: [53],
  describe: 'DNS query over TCP (dig +tcp where installed, else our own); a reply proves DNS over TCP works',
  run: (ctx) => dnsOverTcp(ctx),
};
