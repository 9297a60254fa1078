/**
 * A small parser for the markdown of KB 832017 (kept outside the repo, in
 * `../shared/reference/`), used only by the catalog fidelity test. It reads every port
 * the KB states: the section tables under "## System services ports" (with the Hyper-V
 * sub-tables), the ports the sections give as bullets or in prose (IPAM, BranchCache,
 * the AD tunnelling bullets), and the port-sorted "## Ports and protocols" summary table.
 * Cell forms it understands: "445, 139", "135<br/>**random ...**", "TCP + UDP", "TCP/UDP",
 * "UDP and DTLS¹", "TP" with ports in a sentence, "UPD", "n/a" IP protocols, "No port
 * number"/"Echo port" ICMP, "1025-65535 (note 2)" and footnote markers. An unknown form
 * throws, so a changed KB fails loudly instead of being half read.
 */
import type { Transport } from '../../src/model.js';

/** One (protocol, port) the KB states. Exactly one of port / range / ipProtocol for tcp, udp and ip; none for icmp. */
export interface KbPort {
  protocol: Transport;
  port?: number;
  range?: string;
  ipProtocol?: number;
  application: string;
  /** 1-based line in the KB file, for failure messages. */
  line: number;
}

export interface KbSectionPort extends KbPort {
  /** The `###` heading, or "heading / sub-heading" for the Hyper-V tables and the BranchCache bullets. */
  section: string;
  /** `table` and `list` ports must be in the catalog; `prose` ports only back catalog rows taken from the text. */
  origin: 'table' | 'list' | 'prose';
}

export interface KbSummaryPort extends KbPort {
  /** The summary's "System service name" cell, without markdown. */
  service: string;
}

export interface KbPorts {
  sections: KbSectionPort[];
  summary: KbSummaryPort[];
  /** Section labels that have a port table, in KB order. */
  tableSections: string[];
}

const SYSTEM = '## System services ports';
const SUMMARY = '## Ports and protocols';
const IP_NAMES: Record<string, number> = { GRE: 47, ESP: 50, AH: 51 };

export function parseKb(markdown: string): KbPorts {
  const lines = markdown.split(/\r?\n/);
  const systemAt = lines.indexOf(SYSTEM);
  const summaryAt = lines.indexOf(SUMMARY);
  if (systemAt < 0 || summaryAt < systemAt) throw new Error(`KB layout changed: "${SYSTEM}" or "${SUMMARY}" not found`);
  const { ports: sections, tableSections } = parseSystemSection(lines, systemAt + 1, summaryAt);
  const summary = parseSummary(lines, summaryAt + 1);
  return { sections, summary, tableSections };
}

function parseSystemSection(
  lines: string[],
  from: number,
  to: number,
): { ports: KbSectionPort[]; tableSections: string[] } {
  const ports: KbSectionPort[] = [];
  const tableSections: string[] = [];
  let heading = '';
  let sub: string | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? '';
    const h3 = /^### (.+)$/.exec(line);
    const h4 = /^#### (.+)$/.exec(line);
    if (h3?.[1]) {
      heading = h3[1].trim();
      sub = null;
    } else if (h4?.[1]) {
      sub = h4[1].trim();
    } else if (isTableStart(lines, i)) {
      // A bare caption line right above a table ("Hyper-V replica") names a sub-table.
      const caption = captionAbove(lines, i);
      const section = caption ? `${heading} / ${caption}` : label(heading, sub);
      const table = readTable(lines, i);
      tableSections.push(section);
      for (const r of table.rows) {
        for (const p of rowPorts(r.cell('application'), r.cell('protocol'), r.cell('port'), r.line)) {
          ports.push({ ...p, section, origin: 'table' });
        }
      }
      i = table.end - 1;
    } else {
      for (const p of textPorts(line, i + 1)) ports.push({ ...p, section: label(heading, sub) });
    }
  }
  return { ports, tableSections };
}

function parseSummary(lines: string[], from: number): KbSummaryPort[] {
  let i = from;
  while (i < lines.length && !isTableStart(lines, i)) i++;
  if (i >= lines.length) throw new Error('KB layout changed: no table under the summary heading');
  return readTable(lines, i).rows.flatMap((r) =>
    rowPorts(r.cell('application'), r.cell('protocol'), r.cell('port'), r.line).map((p) => ({
      ...p,
      service: clean(r.cell('service')),
    })),
  );
}

const label = (heading: string, sub: string | null): string => (sub ? `${heading} / ${sub}` : heading);

function isTableStart(lines: string[], i: number): boolean {
  return (lines[i] ?? '').startsWith('|') && /^\|\s*-{3}/.test(lines[i + 1] ?? '');
}

function captionAbove(lines: string[], i: number): string | null {
  let j = i - 1;
  while (j >= 0 && (lines[j] ?? '').trim() === '') j--;
  const text = (lines[j] ?? '').trim();
  const plain = text.length > 0 && text.length < 60 && !/^[#>|\-*]/.test(text) && !/[.:!?]$/.test(text);
  return plain && !text.startsWith('System service') ? text : null;
}

type Column = 'application' | 'protocol' | 'port' | 'service';

interface TableRow {
  line: number;
  cell(column: Column): string;
}

function readTable(lines: string[], start: number): { rows: TableRow[]; end: number } {
  const header = splitCells(lines[start] ?? '').map((h) => h.toLowerCase());
  const index: Record<Column, number> = {
    application: header.findIndex((h) => h.startsWith('application')),
    protocol: header.indexOf('protocol'),
    port: header.findIndex((h) => h.startsWith('port')),
    service: header.indexOf('system service name'),
  };
  if (index.application < 0 || index.protocol < 0 || index.port < 0) {
    throw new Error(`KB line ${start + 1}: unexpected table header ${JSON.stringify(header)}`);
  }
  const rows: TableRow[] = [];
  let i = start + 2;
  for (; (lines[i] ?? '').startsWith('|'); i++) {
    const cells = splitCells(lines[i] ?? '');
    rows.push({ line: i + 1, cell: (c) => cells[index[c]] ?? '' });
  }
  return { rows, end: i };
}

function splitCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** Markdown and footnote markers out: `<sup>2</sup>`, ¹²³, bold, code spans. */
function clean(text: string): string {
  return text
    .replace(/<sup>[^<]*<\/sup>/g, '')
    .replace(/[¹²³]/g, '')
    .replace(/\*\*/g, '')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function rowPorts(appCell: string, protoCell: string, portCell: string, line: number): KbPort[] {
  const application = clean(appCell);
  const where = `KB line ${line}`;
  const ipNumber = /IP protocol (\d+)/.exec(application)?.[1];
  const proto = clean(protoCell).toUpperCase();
  if (proto in IP_NAMES || ipNumber) {
    return [{ protocol: 'ip', ipProtocol: Number(ipNumber ?? IP_NAMES[proto]), application, line }];
  }
  const parts = portCell.split(/<br\s*\/?>/i).map((p) =>
    clean(p)
      .replace(/\([^)]*\)/g, '')
      .trim(),
  );
  if (proto.includes('ICMP') || (proto === '' && /ICMP/i.test(application))) {
    if (!parts.every((p) => /^(|no port number|echo port)$/i.test(p)))
      throw new Error(`${where}: ICMP with a port "${portCell}"`);
    return [{ protocol: 'icmp', application, line }];
  }
  const transports = protocolsOf(proto, where);
  return parts
    .flatMap((part) => portsOf(part, where))
    .flatMap((spec) => {
      // "TP" rows carry their transport inside the sentence ("TCP 80"); trust that over the cell.
      const list = spec.protocol ? [spec.protocol] : transports;
      return list.map((protocol) => ({ protocol, ...spec.at, application, line }));
    });
}

/** "TCP", "UDP", "TCP + UDP", "TCP/UDP", "UDP and DTLS", and the KB's typos "TP" (TCP) and "UPD" (UDP). */
function protocolsOf(cell: string, where: string): Transport[] {
  const out = new Set<Transport>();
  for (const token of cell.split(/\s*(?:\+|\/|\band\b|,)\s*/i)) {
    if (token === 'TCP' || token === 'TP') out.add('tcp');
    else if (token === 'UDP' || token === 'UPD') out.add('udp');
    else if (token !== 'DTLS') throw new Error(`${where}: unknown protocol "${token}" in "${cell}"`);
  }
  return [...out];
}

interface PortSpec {
  at: { port: number } | { range: string };
  protocol?: Transport;
}

function portsOf(part: string, where: string): PortSpec[] {
  const between = /between (\d+)\s*(?:-|and)\s*(\d+)/i.exec(part);
  if (between) return [{ at: { range: `${between[1]}-${between[2]}` } }];
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
  if (range) return [{ at: { range: `${range[1]}-${range[2]}` } }];
  const inSentence = [...part.matchAll(/\b(TCP|UDP) (\d+)\b/g)];
  if (inSentence.length > 0) {
    return inSentence.map((m) => ({ at: { port: Number(m[2]) }, protocol: m[1] === 'TCP' ? 'tcp' : 'udp' }));
  }
  return part.split(',').map((p) => {
    const n = p.trim();
    if (!/^\d+$/.test(n)) throw new Error(`${where}: unknown port form "${part}"`);
    return { at: { port: Number(n) } };
  });
}

/**
 * Ports stated in running text. List items ("- Port 3702 (UDP) ...", "- ... (IP protocol 50)")
 * and IPAM's binding sentence are `list` ports the catalog must hold; any other mention
 * ("UDP port 69") is `prose`, which may back a catalog row but need not.
 */
function textPorts(raw: string, line: number): (KbPort & { origin: 'list' | 'prose' })[] {
  const text = clean(raw.replace(/^>\s?/, ''));
  const isList = /^- /.test(text);
  const out: (KbPort & { origin: 'list' | 'prose' })[] = [];
  const add = (protocol: Transport, at: { port: number } | { ipProtocol: number }, origin: 'list' | 'prose') =>
    out.push({ protocol, ...at, application: text.slice(0, 80), line, origin });
  const proto = (s: string | undefined): Transport => (s?.toUpperCase() === 'UDP' ? 'udp' : 'tcp');
  for (const m of text.matchAll(/\(IP protocol (\d+)\)/g))
    add('ip', { ipProtocol: Number(m[1]) }, isList ? 'list' : 'prose');
  for (const m of text.matchAll(/\((TCP|UDP)(?: on)? port (\d+)\)/gi))
    add(proto(m[1]), { port: Number(m[2]) }, isList ? 'list' : 'prose');
  for (const m of text.matchAll(/\bPort (\d+) \((TCP|UDP)\)/gi))
    add(proto(m[2]), { port: Number(m[1]) }, isList ? 'list' : 'prose');
  for (const m of text.matchAll(/(?<!\()\b(TCP|UDP) port (\d+)\b/gi)) add(proto(m[1]), { port: Number(m[2]) }, 'prose');
  for (const m of text.matchAll(/TCP binding is performed on port (\d+)/g)) add('tcp', { port: Number(m[1]) }, 'list');
  return out;
}

/**
 * The raw text of one `### heading` section (up to the next `##`/`###` heading), or of the
 * summary table's section for `"Ports and protocols"`: what a test searches for the facts
 * behind a catalog row. Throws when the heading is missing, so a renamed section fails loudly.
 */
export function kbSection(markdown: string, heading: string): string {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#{2,3} /, '').trim() === heading);
  if (start < 0) throw new Error(`KB layout changed: no section "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#{2,3} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}
