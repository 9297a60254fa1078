/**
 * DCE/RPC endpoint mapper, TCP 135 (probes.md B1; C706 ch. 12, MS-RPCE 2.2.1.2.4).
 * Sends a bind to the EPM interface (NDR); a bind_ack or bind_nak proves a DCE/RPC
 * server. Then pages through ept_lookup(RPC_C_EP_ALL_ELTS) by entry handle and reports
 * every tower as a `DiscoveredEndpoint`, so the engine can test the dynamic ports.
 * `msrpcBind` is the bind step alone, for those dynamic ports.
 */

import { listText } from '../../printable.js';
import { concat } from '../codec/bytes.js';
import { malformed, type Parsed, parsed } from '../codec/parsed.js';
import { recognized, rejected } from '../recognition.js';
import {
  EPM_INTERFACE,
  EPT_S_NOT_REGISTERED,
  encodeEptLookup,
  isZeroHandle,
  parseEptLookupResponse,
  ZERO_HANDLE,
} from '../rpc/epm.js';
import { interfaceName, shortInterfaceName } from '../rpc/interfaces.js';
import { encodeBind, parseBindAck, parseCallReply, pduFrameLength, rpcStatusName } from '../rpc/pdu.js';
import { decodeTower } from '../rpc/tower.js';
import type { DiscoveredEndpoint, Recognition, StreamIO, TcpProtocol } from '../types.js';

/** Bounds on a hostile or huge endpoint list. */
export const MAX_PAGES = 64;
export const MAX_ENTRIES = 4096;
const PAGE_SIZE = 100;
const MAX_FRAGMENTS = 256;
const MAX_STUB = 1 << 20;

/** Bind to EPM; the recognition when the bind itself settles the answer, else null (go on). */
async function bind(io: StreamIO): Promise<Recognition | { bound: string }> {
  io.write(encodeBind(EPM_INTERFACE, 1));
  const reply = parseBindAck(await io.read(pduFrameLength));
  if (!reply.ok) return rejected(`bind: ${reply.reason}`);
  const b = reply.value;
  if (b.kind === 'nak') return recognized([`DCE/RPC server (bind_nak, reason ${b.reason})`]);
  if (!b.accepted) {
    return recognized([`DCE/RPC server (bind_ack, EPM context rejected: result ${b.result}, reason ${b.reason})`]);
  }
  return { bound: `DCE/RPC endpoint mapper (bind_ack accepted, secondary address "${b.secondaryAddress}")` };
}

/** One ept_lookup call: the concatenated response stub of all its fragments. */
async function lookupPage(io: StreamIO, handle: Uint8Array, callId: number): Promise<Parsed<Uint8Array>> {
  io.write(encodeEptLookup(handle, callId, PAGE_SIZE));
  const stubs: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < MAX_FRAGMENTS; i++) {
    const reply = parseCallReply(await io.read(pduFrameLength), callId);
    if (!reply.ok) return reply;
    if (reply.value.kind === 'fault') return malformed(`fault ${rpcStatusName(reply.value.status)}`);
    stubs.push(reply.value.stub);
    total += reply.value.stub.length;
    if (total > MAX_STUB) return malformed('response larger than 1 MiB');
    if (reply.value.last) return parsed(concat(...stubs));
  }
  return malformed(`more than ${MAX_FRAGMENTS} fragments`);
}

interface Listing {
  endpoints: DiscoveredEndpoint[];
  pages: number;
  entries: number;
  undecodable: number;
  /** Why the listing stopped early, if it did. */
  problem: string | null;
}

function toEndpoint(tower: Uint8Array, annotation: string): DiscoveredEndpoint | null {
  const t = decodeTower(tower);
  if (!t.ok) return null;
  const { interfaceUuid, protocol, port, endpointName, host } = t.value;
  // Named pipes and LRPC have no port: keep the endpoint name in `address` (\\HOST\PIPE\x form for pipes).
  const address =
    endpointName === null ? host : protocol === 'np' && host ? `\\\\${host}${endpointName}` : endpointName;
  return { interfaceUuid, interfaceName: interfaceName(interfaceUuid), annotation, protocol, port, address };
}

async function listEndpoints(io: StreamIO): Promise<Listing> {
  const seen = new Map<string, DiscoveredEndpoint>();
  const out: Listing = { endpoints: [], pages: 0, entries: 0, undecodable: 0, problem: null };
  let handle: Uint8Array = ZERO_HANDLE;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const stub = await lookupPage(io, handle, page + 2);
      if (!stub.ok) return { ...out, endpoints: [...seen.values()], problem: stub.reason };
      const listed = parseEptLookupResponse(stub.value, MAX_ENTRIES - out.entries);
      if (!listed.ok) return { ...out, endpoints: [...seen.values()], problem: listed.reason };
      out.pages++;
      const { entries, status } = listed.value;
      for (const e of entries) {
        out.entries++;
        const ep = e.tower ? toEndpoint(e.tower, e.annotation) : null;
        if (!ep) {
          out.undecodable++;
          continue;
        }
        seen.set(`${ep.interfaceUuid}|${ep.protocol}|${ep.port}|${ep.address}`, ep);
      }
      if (status === EPT_S_NOT_REGISTERED) break;
      if (status !== 0) return { ...out, endpoints: [...seen.values()], problem: `status ${rpcStatusName(status)}` };
      if (isZeroHandle(listed.value.handle) || entries.length === 0) break;
      if (out.entries >= MAX_ENTRIES)
        return { ...out, endpoints: [...seen.values()], problem: `stopped at ${MAX_ENTRIES} entries` };
      if (page === MAX_PAGES - 1)
        return { ...out, endpoints: [...seen.values()], problem: `stopped after ${MAX_PAGES} pages` };
      handle = listed.value.handle;
    }
  } catch (err) {
    // A read that times out mid-listing keeps what the bind already proved.
    return { ...out, endpoints: [...seen.values()], problem: `no complete reply (${(err as Error).message})` };
  }
  return { ...out, endpoints: [...seen.values()] };
}

const LIST_LIMIT = 24;

/**
 * "DRSUAPI on 49667/tcp, Netlogon on 49668/tcp ..." for the named interfaces with a port.
 * Both lists stop at LIST_LIMIT with "and N more": a mapper may list thousands of ports.
 */
export function describeEndpoints(endpoints: readonly DiscoveredEndpoint[]): string[] {
  const withPort = endpoints.filter((e) => e.port !== null);
  const tcpPorts = [...new Set(endpoints.filter((e) => e.protocol === 'tcp').map((e) => e.port))].sort(
    (a, b) => (a ?? 0) - (b ?? 0),
  );
  const portList = listText(tcpPorts.map(String), LIST_LIMIT) || 'none';
  const lines = [`EPM: ${endpoints.length} endpoints; ${tcpPorts.length} TCP ports: ${portList}`];
  const named = [
    ...new Set(
      withPort
        .filter((e) => e.interfaceName)
        .sort((a, b) => (a.port ?? 0) - (b.port ?? 0))
        .map((e) => `${shortInterfaceName(e.interfaceUuid)} on ${e.port}/${e.protocol}`),
    ),
  ];
  if (named.length) lines.push(listText(named, LIST_LIMIT));
  return lines;
}

export const epm: TcpProtocol = {
  kind: 'stream',
  id: 'msrpc-epm',
  transport: 'tcp',
  ports: [135],
  describe: 'DCE/RPC bind to the endpoint mapper, then ept_lookup of every registered endpoint',
  async converse(io) {
    const bound = await bind(io);
    if (!('bound' in bound)) return bound;
    const list = await listEndpoints(io);
    const evidence = [bound.bound, ...describeEndpoints(list.endpoints)];
    if (list.undecodable) evidence.push(`${list.undecodable} of ${list.entries} entries had no decodable tower`);
    const warnings = list.problem ? [`ept_lookup incomplete after ${list.pages} page(s): ${list.problem}`] : [];
    return recognized(evidence, warnings, { endpoints: list.endpoints });
  },
};

export const msrpcBind: TcpProtocol = {
  kind: 'stream',
  id: 'msrpc',
  transport: 'tcp',
  ports: [],
  describe: 'DCE/RPC bind (EPM interface); a bind_ack or bind_nak proves an RPC endpoint',
  async converse(io) {
    const bound = await bind(io);
    return 'bound' in bound ? recognized([bound.bound.replace('endpoint mapper', 'server')]) : bound;
  },
};
