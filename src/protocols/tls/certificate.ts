/**
 * TLS certificate evidence shared by every TLS-speaking module (LDAPS, 3269, WinRM over
 * HTTPS, IIS, the bare TLS module): read the peer certificate from a `TLSSocket` into the
 * engine's `TlsInfo`, and turn it into evidence lines and warnings. Expiry and a name
 * that does not match the target are warnings, never failures; self-signed is a fact.
 * Subject, issuer and names are the peer's text: shown through `printableText` (no NUL,
 * ESC or C1 byte reaches a report), cut to a length, and at most MAX_NAMES names listed.
 */
import { isIP } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { listText, printableText } from '../../printable.js';
import type { TlsInfo } from '../types.js';

/** Subject alternative names listed in the evidence; the rest are counted. */
const MAX_NAMES = 10;
/** Characters of a subject, issuer or name shown. */
const MAX_NAME_TEXT = 200;
const shown = (text: string) => printableText(text, MAX_NAME_TEXT);

function distinguishedName(dn: PeerCertificate['subject'] | undefined): string | null {
  if (!dn || typeof dn !== 'object') return null;
  const parts = Object.entries(dn).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`);
  return parts.length ? parts.join(', ') : null;
}

/** The peer certificate of an established TLS socket, as `TlsInfo`. */
export function tlsInfoFromSocket(socket: TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  const subject = distinguishedName(cert.subject);
  const issuer = distinguishedName(cert.issuer);
  const chainSelf = cert.issuerCertificate?.fingerprint256 === cert.fingerprint256 && Boolean(cert.fingerprint256);
  return {
    protocol: socket.getProtocol() ?? null,
    subject,
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(/,\s*/).filter(Boolean) : [],
    issuer,
    validTo: cert.valid_to ?? null,
    selfSigned: subject !== null && (subject === issuer || chainSelf),
  };
}

/** Does a certificate name (possibly `*.example.com`) cover `host`? RFC 6125 §6.4.3, left-most label only. */
function dnsNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

function commonName(subject: string | null): string | null {
  const m = subject?.match(/(?:^|, )CN=([^,]*)/);
  return m ? m[1] : null;
}

/** Whether the certificate names `target` (a DNS name or an IP address). */
export function certificateNamesTarget(info: TlsInfo, target: string): boolean {
  const ip = isIP(target) !== 0;
  const sans = info.subjectAltNames.map((s) => {
    const i = s.indexOf(':');
    return { type: s.slice(0, i).trim(), value: s.slice(i + 1).trim() };
  });
  if (ip) return sans.some((s) => s.type === 'IP Address' && s.value.toLowerCase() === target.toLowerCase());
  const dns = sans.filter((s) => s.type === 'DNS');
  if (dns.length) return dns.some((s) => dnsNameMatches(s.value, target));
  const cn = commonName(info.subject);
  return cn !== null && dnsNameMatches(cn, target);
}

const DAY_MS = 86_400_000;

/** Evidence lines and warnings for a TLS session; `now` is injectable for tests. */
export function certificateEvidence(
  info: TlsInfo,
  target: string,
  now: Date = new Date(),
): { evidence: string[]; warnings: string[] } {
  const evidence = [`TLS ${info.protocol ?? 'handshake completed'}`];
  const warnings: string[] = [];
  if (info.subject === null) {
    evidence.push('no server certificate');
    return { evidence, warnings };
  }
  evidence.push(
    `certificate subject ${shown(info.subject)}; issuer ${info.issuer === null ? 'unknown' : shown(info.issuer)}`,
  );
  if (info.subjectAltNames.length) {
    evidence.push(`subject alternative names: ${listText(info.subjectAltNames.map(shown), MAX_NAMES, 'names')}`);
  }
  if (info.selfSigned) evidence.push('certificate is self-signed');
  const expiry = info.validTo ? Date.parse(info.validTo) : Number.NaN;
  if (Number.isNaN(expiry)) {
    warnings.push(`certificate expiry unreadable (${info.validTo === null ? 'missing' : shown(info.validTo)})`);
  } else {
    const days = Math.floor((expiry - now.getTime()) / DAY_MS);
    if (expiry <= now.getTime())
      warnings.push(`certificate expired ${-days} day(s) ago (${shown(info.validTo ?? '')})`);
    else evidence.push(`certificate expires in ${days} day(s) (${shown(info.validTo ?? '')})`);
  }
  if (!certificateNamesTarget(info, target)) warnings.push(`certificate does not name ${shown(target)}`);
  return { evidence, warnings };
}
