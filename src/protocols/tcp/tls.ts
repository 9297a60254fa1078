/**
 * TLS on any TLS port (443, 563, 636, 993, 995, 3269, 5986 ...): the engine performs the
 * handshake (`tls: true`) and this module only reads `io.tls`. Evidence: protocol version,
 * subject, SANs, issuer, days to expiry; self-signed is a fact; an expired certificate or
 * one that does not name the target is a warning (RFC 5246/8446, RFC 6125).
 */
import { recognized, rejected } from '../recognition.js';
import { certificateEvidence } from '../tls/certificate.js';
import type { TcpProtocol } from '../types.js';

export const tlsHandshake: TcpProtocol = {
  kind: 'stream',
  id: 'tls',
  transport: 'tcp',
  ports: [443, 563, 636, 993, 995, 3269, 5986],
  tls: true,
  describe: 'TLS handshake only; recognised: a completed handshake, reported with its certificate',
  async converse(io, ctx) {
    if (!io.tls) return rejected('the stream carries no TLS session');
    const { evidence, warnings } = certificateEvidence(io.tls, ctx.target);
    return recognized(evidence, warnings);
  },
};
