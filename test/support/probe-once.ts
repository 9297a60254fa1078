/**
 * Run one real TCP probe and one real UDP probe (Kerberos AS-REQ) of `address` and print
 * both results as one JSON line. For tests that must probe from inside a network namespace
 * (`unshare --net node --import=tsx test/support/probe-once.ts 192.0.2.1 88`).
 */
import { tcpProbe } from '../../src/probe/tcp-probe.js';
import { udpProbe } from '../../src/probe/udp.js';
import { UdpPacer } from '../../src/probe/udp-pacer.js';
import { kerberosUdp } from '../../src/protocols/udp/kerberos.js';

const [address = '', portText = ''] = process.argv.slice(2);
const port = Number(portText);
const signal = AbortSignal.timeout(5000);
const ctx = { target: address, address, port, nonce: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
const timeoutMs = 500;
const tcp = await tcpProbe({
  target: address,
  address,
  port,
  timeoutMs,
  appTimeoutMs: timeoutMs,
  signal,
  module: null,
  ctx,
});
const udp = await udpProbe({
  address,
  port,
  module: kerberosUdp,
  ctx,
  timeoutMs,
  retries: 1,
  signal,
  pacer: new UdpPacer(50),
});
process.stdout.write(`${JSON.stringify({ tcp: tcp.observation, udp })}\n`);
