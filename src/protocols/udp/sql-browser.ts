/**
 * SQL Server Browser on UDP 1434 ([MC-SQLR] 2.2.2, 2.2.5).
 *
 * Sends: CLNT_UCAST_EX, one byte 0x03: "list every instance".
 * Recognised: SVR_RESP: 0x05, a little-endian length that fits the datagram, then
 * `key;value;...;;` records, each with ServerName and InstanceName.
 * Proves: the SQL Server Browser service; lists instances, versions and TCP ports (which a
 * run can then test as TCP ports of their own).
 * Caveats: no instances, or all hidden (HideInstance), gives no reply. No nonce: the
 * match is structural.
 */
import { printable, readU16le } from '../codec/bytes.js';
import { recognized, rejected } from '../recognition.js';
import type { Recognition, UdpProtocol } from '../types.js';

/** Instances listed at most. */
const MAX_INSTANCES = 32;

/** Parse `k;v;k;v;;k;v;;` into records. */
export function parseInstances(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const record of text.split(';;').slice(0, MAX_INSTANCES)) {
    const parts = record.split(';');
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < parts.length; i += 2) m.set(parts[i].toLowerCase(), parts[i + 1]);
    if (m.has('servername') && m.has('instancename')) out.push(m);
  }
  return out;
}

function recognize(reply: Uint8Array): Recognition {
  if (reply.length < 3) return rejected(`reply too short (${reply.length} bytes)`);
  if (reply[0] !== 0x05) return rejected(`first byte 0x${reply[0].toString(16)}, not SVR_RESP (0x05)`);
  const length = readU16le(reply, 1) ?? 0;
  if (3 + length > reply.length) return rejected(`SVR_RESP length ${length} exceeds the datagram`);
  const instances = parseInstances(new TextDecoder('latin1').decode(reply.subarray(3, 3 + length)));
  if (instances.length === 0) return rejected('SVR_RESP without an instance record');
  const evidence = [`SQL Server Browser listed ${instances.length} instance(s)`];
  for (const m of instances) {
    const field = (k: string) => printable(new TextEncoder().encode(m.get(k) ?? '?'), 64);
    const tcp = m.has('tcp') ? `, tcp port ${field('tcp')}` : ', no TCP listener';
    evidence.push(`${field('servername')}\\${field('instancename')} version ${field('version')}${tcp}`);
  }
  return recognized(evidence);
}

export const sqlBrowser: UdpProtocol = {
  kind: 'datagram',
  id: 'sql-browser',
  transport: 'udp',
  ports: [1434],
  describe: 'SQL Browser CLNT_UCAST_EX (0x03); an SVR_RESP lists instances and their TCP ports',
  buildRequest: () => Uint8Array.of(0x03),
  recognize,
};
