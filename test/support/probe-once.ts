/**
 * Run one real TCP probe and one real UDP probe (Kerberos AS-REQ) of `address` and print
 * both results as one JSON line. For tests that must probe from inside a network namespace
 * (`unshare --net node --import=tsx test/support/probe-once.ts 192.0.2.1 88`).
 */
import { udpProbe } from '../../src/probe/udp.js';
import { UdpHostSchedule } from '../../src/probe/udp-schedule.js';
import { kerberosUdp } from '../../src/protocols/udp/kerberos.js';
import { observeTcp } from './observe-tcp.js';

const [address = '', portText = ''] = process.argv.slice(2);
const port = Number(portText);
const signal = AbortSignal.timeout(5000);
const ctx = { target: address, address, port, nonce: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
const timeoutMs = 500;
const { observation: tcp } = await observeTcp({
  target: address,
  address,
  port,
  timeoutMs,
  appTimeoutMs: timeoutMs,
  signal,
  module: null,
  ctx,
});
const schedule = new UdpHostSchedule({ timeoutMs, retries: 1, signal });
const udp = await udpProbe({ address, port, module: kerberosUdp, ctx, signal, schedule });
schedule.close();
process.stdout.write(`${JSON.stringify({ tcp, udp })}\n`);
