/**
 * The client side of `portolan check --responder`: protocol modules that send a responder
 * probe (handshake.ts) on any port and verify the reply with the shared token.
 *
 * Recognised only when the reply echoes our nonce under a mac made with our token. A
 * responder that rejected our token (auth-failed) or our clock (clock-skew) is rejected with
 * `responder: 'wrong-token' | 'clock-skew'`: the path is open, but this is not a pass of the
 * role. Anything else is rejected with the reason it failed.
 */
import { formatDuration } from '../duration.js';
import { nonceBytes } from '../protocols/codec/bytes.js';
import { recognized, rejected } from '../protocols/recognition.js';
import type { ProbeContext, Recognition, StreamIO, TcpProtocol, UdpProtocol } from '../protocols/types.js';
import {
  encodeProbe,
  NONCE_LENGTH,
  PROBE_LENGTH,
  type ProbeFields,
  type ResponderTransport,
  readReply,
  replyFrameLength,
} from './handshake.js';

export const RESPONDER_MODULE_ID = 'portolan-responder';

export const VERIFIED_EVIDENCE = 'portolan responder (nonce verified)';
export const WRONG_TOKEN_EVIDENCE =
  'a portolan responder answered but rejected our token: the path is open, the responder is not ours';

export const SHEDDING_EVIDENCE =
  'the responder says it refused UDP replies lately (rate limits under load): its UDP silence may be its own, not the path';

const DESCRIBE =
  'sends a portolan responder probe (nonce, timestamp, HMAC-SHA256 with the shared token); recognised when the reply echoes the nonce under the token';

function fieldsFor(ctx: ProbeContext, transport: ResponderTransport, nowMs: number): ProbeFields {
  return { nonce: nonceBytes(ctx.nonce, NONCE_LENGTH), timestampMs: nowMs, transport, port: ctx.port };
}

/** Turn the bytes that came back into a Recognition. `nowMs` is only used to size a clock skew. */
export function recognizeReply(reply: Uint8Array, token: string, sent: ProbeFields, nowMs: number): Recognition {
  const reading = readReply(reply, token, sent);
  switch (reading.kind) {
    case 'accepted':
      return reading.shedding
        ? recognized([VERIFIED_EVIDENCE, SHEDDING_EVIDENCE], [], { responderShedding: true })
        : recognized([VERIFIED_EVIDENCE]);
    case 'auth-failed':
      return rejected('wrong-token', { evidence: [WRONG_TOKEN_EVIDENCE], responder: 'wrong-token' });
    case 'clock-skew': {
      const skew = reading.serverTimeMs - nowMs;
      const words = `a portolan responder with our token answered, but its clock is ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} ours: the path is open; set both clocks right and check again`;
      return rejected('clock-skew', { evidence: [words], responder: 'clock-skew' });
    }
    case 'invalid':
      return rejected(reading.reason);
  }
}

export function responderUdpModule(token: string, clock: () => number = Date.now): UdpProtocol {
  return {
    kind: 'datagram',
    id: RESPONDER_MODULE_ID,
    transport: 'udp',
    ports: [],
    describe: DESCRIBE,
    buildRequest: (ctx) => encodeProbe(token, fieldsFor(ctx, 'udp', clock())),
    recognize: (reply, ctx) => recognizeReply(reply, token, fieldsFor(ctx, 'udp', clock()), clock()),
  };
}

export function responderTcpModule(token: string, clock: () => number = Date.now): TcpProtocol {
  return {
    kind: 'stream',
    id: RESPONDER_MODULE_ID,
    transport: 'tcp',
    ports: [],
    describe: DESCRIBE,
    async converse(io: StreamIO, ctx: ProbeContext): Promise<Recognition> {
      const sent = fieldsFor(ctx, 'tcp', clock());
      io.write(encodeProbe(token, sent));
      // A reply is never larger than the probe, so that is all we buffer.
      const reply = await io.read(replyFrameLength, PROBE_LENGTH);
      return recognizeReply(reply, token, sent, clock());
    },
  };
}
