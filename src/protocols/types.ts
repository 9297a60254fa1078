/**
 * The one small interface every application-protocol module implements.
 *
 * Modules never open sockets for UDP or plain TCP: the probe engine does, and hands
 * them bytes. Decoders are pure, bounded, and never throw on hostile input: codecs return
 * `Parsed<T>`, modules a `Recognition` built with `recognized` / `rejected`
 * (`recognition.ts`). Everything they put in `evidence` is untrusted text that renderers escape.
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
  /** AD domain / Kerberos realm when known (from --domain or a plan); DNS asks for its SOA. */
  domain?: string;
  /** A fresh random value per probe the module may use as a transaction id or nonce. */
  nonce: Uint8Array;
}

/** A module's reading of the bytes that came back: recognised, or rejected with the reason. */
export type Recognition = Recognized | Rejected;

/** The reply passed the protocol's recognition rule. */
export interface Recognized {
  valid: true;
  /** Facts the reply proves, in words. Untrusted text. */
  evidence: string[];
  /** Things an admin should act on (expired certificate, name mismatch, signing off). */
  warnings?: string[];
  /** Endpoints a discovery module (the RPC endpoint mapper) found. */
  endpoints?: DiscoveredEndpoint[];
  /** The responder modules: the responder said it refused UDP replies lately (it is shedding load). */
  responderShedding?: true;
  /** Only a rejection has a reason (lets callers read `r.reason` before narrowing). */
  reason?: undefined;
  responder?: undefined;
}

/** The reply (or the conversation) did not pass the recognition rule. */
export interface Rejected {
  valid: false;
  /** Why, in words (truncated, wrong id, no reply ...). */
  reason: string;
  /** Facts that still hold (a TLS certificate when LDAP inside it failed). Untrusted text. */
  evidence: string[];
  warnings?: string[];
  /**
   * Set by the responder modules when a portolan responder answered but did not verify us:
   * the path is open, the role is not proven.
   */
  responder?: 'wrong-token' | 'clock-skew';
  endpoints?: undefined;
  responderShedding?: undefined;
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
  /**
   * Every server of the protocol answers this request (DNS, CLDAP, Kerberos, kpasswd): its
   * silence is not a listener ignoring us, so with the same service answering over TCP the
   * UDP path is judged filtered.
   */
  everyServerAnswers?: true;
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

/** What a custom module's own client needs besides the probe: the deadline, the source address, a timeout. */
export type CustomProbeContext = ProbeContext & { signal: AbortSignal; localAddress?: string; timeoutMs: number };

/**
 * A module that needs its own client (`clients/`: HTTP through undici, DNS through dig).
 * It must honour `signal` and bind to `localAddress` when given.
 */
export interface CustomProtocol {
  kind: 'custom';
  id: string;
  transport: 'tcp' | 'udp';
  ports: number[];
  describe: string;
  run(ctx: CustomProbeContext): Promise<Recognition>;
}

export type ProtocolModule = UdpProtocol | TcpProtocol | CustomProtocol;
