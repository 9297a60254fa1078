/**
 * The one small interface every application-protocol module implements.
 *
 * Modules never open sockets for UDP or plain TCP: the probe engine does, and hands
 * them bytes. Decoders are pure, bounded, and never throw on hostile input: they
 * return `{ valid: false, reason }` instead. Everything they put in `evidence` is
 * untrusted text that renderers escape.
 */

/** What a module may know about the probe it is building for. */
export interface ProbeContext {
  /** The target as the user named it (host name or address). */
  target: string;
  /** The address being probed. */
  address: string;
  port: number;
  /** SNMP community for the v2c evidence step. @default 'public' */
  snmpCommunity?: string;
  /** DNS name to ask a DNS server about (the target's domain when known). */
  dnsQueryName?: string;
  /** AD domain / Kerberos realm when known (from --domain or a plan). */
  domain?: string;
  /** A fresh random value per probe the module may use as a transaction id or nonce. */
  nonce: Uint8Array;
}

/** A module's reading of the bytes that came back. */
export interface Recognition {
  /** True only when the reply passes the protocol's recognition rule. */
  valid: boolean;
  /** Facts the reply proves, in words. Untrusted text. */
  evidence: string[];
  /** Things an admin should act on (expired certificate, name mismatch, signing off). */
  warnings?: string[];
  /** Why the reply was not recognised (truncated, wrong id ...). */
  reason?: string;
  /** Endpoints a discovery module (the RPC endpoint mapper) found. */
  endpoints?: DiscoveredEndpoint[];
}

/** An RPC endpoint the endpoint mapper reported. */
export interface DiscoveredEndpoint {
  interfaceUuid: string;
  /** Well-known name of the interface (DRSUAPI, Netlogon ...), if we know it. */
  interfaceName: string | null;
  annotation: string;
  protocol: 'tcp' | 'udp' | 'http' | 'np' | 'lrpc' | 'other';
  port: number | null;
  address: string | null;
}

/** UDP module: one request datagram, one reply datagram. */
export interface UdpProtocol {
  kind: 'datagram';
  id: string;
  transport: 'udp';
  /** Default ports this module speaks on. */
  ports: number[];
  /** One line: what it sends and what counts as recognised. */
  describe: string;
  buildRequest(ctx: ProbeContext): Uint8Array;
  recognize(reply: Uint8Array, ctx: ProbeContext): Recognition;
  /** The server answers from another source port (TFTP): the engine must use an unconnected socket. */
  replyFromOtherPort?: boolean;
  /** For protocols no request can draw a reply from: what would settle `open|filtered`. */
  silentByDesign?: string;
}

/**
 * A byte stream the engine opened (plain TCP, or TLS when the module asks for it).
 * The engine owns every timeout and the abort signal: `read` rejects when either fires.
 */
export interface StreamIO {
  write(bytes: Uint8Array): void;
  /**
   * Resolve with the buffered bytes once `complete(buffered)` returns the length of a whole
   * message (>0), consuming that many bytes; or with what arrived when the peer closes.
   * Bounded: rejects once more than `maxBytes` (default 1 MiB) is buffered.
   */
  read(complete: (buffered: Uint8Array) => number, maxBytes?: number): Promise<Uint8Array>;
  /** Peer certificate details when the stream is TLS. */
  tls?: TlsInfo;
}

export interface TlsInfo {
  protocol: string | null;
  subject: string | null;
  subjectAltNames: string[];
  issuer: string | null;
  validTo: string | null;
  selfSigned: boolean;
}

/** TCP module: a conversation over a connected stream, after the handshake. */
export interface TcpProtocol {
  kind: 'stream';
  id: string;
  transport: 'tcp';
  ports: number[];
  describe: string;
  /** Wrap the connection in TLS before the conversation (LDAPS, 3269, 5986 ...). */
  tls?: boolean;
  converse(io: StreamIO, ctx: ProbeContext): Promise<Recognition>;
}

/**
 * A module that needs its own client (HTTP through undici, DNS through dig).
 * It must honour `signal` and bind to `localAddress` when given.
 */
export interface CustomProtocol {
  kind: 'custom';
  id: string;
  transport: 'tcp' | 'udp';
  ports: number[];
  describe: string;
  run(ctx: ProbeContext & { signal: AbortSignal; localAddress?: string; timeoutMs: number }): Promise<Recognition>;
}

export type ProtocolModule = UdpProtocol | TcpProtocol | CustomProtocol;
