/**
 * A tiny independent prober the harness tests run inside a source namespace
 * (`node --import tsx test/lab/raw-probe.ts tcp|udp ADDRESS PORT [HEX] [TIMEOUT_MS]`), to check
 * the lab without trusting portolan. Prints one JSON line: {"result", "bytes"}. One attempt, bounded.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

type Result = 'connected' | 'refused' | 'reply' | 'timeout' | 'error';

function print(result: Result, bytes = '', error = ''): never {
  process.stdout.write(`${JSON.stringify({ result, bytes, error })}\n`);
  process.exit(0);
}

const [protocol, address = '', portText = '', hex = '', timeoutText = '2000'] = process.argv.slice(2);
const port = Number(portText);
const timeoutMs = Number(timeoutText);
const payload = Buffer.from(hex, 'hex');
setTimeout(() => print('timeout'), timeoutMs).unref();

if (protocol === 'tcp') {
  const socket = connect({ host: address, port });
  socket.on('connect', () => {
    if (payload.length === 0) print('connected');
    socket.write(payload);
  });
  socket.on('data', (data) => print('reply', data.toString('hex')));
  socket.on('error', (err: NodeJS.ErrnoException) =>
    err.code === 'ECONNREFUSED' ? print('refused') : print('error', '', err.code ?? err.message),
  );
} else if (protocol === 'udp') {
  const socket = createSocket('udp4');
  // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
  socket.connect(port, address, () => socket.send(payload));
  socket.on('message', (data) => print('reply', data.toString('hex')));
  socket.on('error', (err: NodeJS.ErrnoException) =>
    err.code === 'ECONNREFUSED' ? print('refused') : print('error', '', err.code ?? err.message),
  );
} else {
  print('error', '', `unknown protocol ${protocol}`);
}
