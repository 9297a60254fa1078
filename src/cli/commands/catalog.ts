/**
 * `portolan catalog ...`: read-only views of the catalog (services, roles, named conditions,
 * one entry, the port-sorted table). Every view has `--json` for scripts. Option values are
 * checked by the catalog layer, so a bad one is one line and exit 2 here as in `check`.
 */
import type { Command } from 'commander';
import { endpointLabel } from '../../catalog/endpoint.js';
import { joinSentences } from '../../catalog/expand.js';
import { loadCatalog, OS_VALUES } from '../../catalog/load.js';
import { catalogPortTable, type PortTableRow } from '../../catalog/port-table.js';
import { type CatalogShow, type CatalogShowRow, showCatalogEntry } from '../../catalog/show.js';
import { catalogSwitches, type SwitchUse } from '../../catalog/switches.js';
import { PortolanError } from '../../errors.js';
import type { Catalog, RowCondition } from '../../model.js';
import { formatColumns } from '../../text-columns.js';
import { flagged } from '../run-option-flags.js';

interface CommonOpts {
  checks?: string[];
  json?: boolean;
}

interface ShowOpts extends CommonOpts {
  profile?: string;
  rpcRange?: string;
  ftpPassiveRange?: string;
  os?: string;
  clientOs?: string;
  with?: string[];
}

interface PortsOpts extends CommonOpts {
  port?: number;
  protocol?: string;
  profile?: string;
}

const collect = (value: string, prev: string[] = []) => [...prev, value];

export function registerCatalog(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('browse the catalog of Windows services, their ports (KB 832017) and server roles');

  const withCommon = (cmd: Command) =>
    cmd
      .option('--checks <dir>', 'also load services/ and roles/ from DIR (repeatable; overrides built-in ids)', collect)
      .option('--json', 'print JSON instead of a table');

  withCommon(catalog.command('services').description('list every service with its port count'))
    .addHelpText('after', '\nExample:\n  portolan catalog services --json | jq -r ".[].id"\n')
    .action(
      flagged(async (opts: CommonOpts) => {
        const cat = await load(opts);
        const rows = [...cat.services.values()].map((s) => ({
          id: s.id,
          name: s.name,
          systemService: s.systemService ?? null,
          ports: s.ports.length,
        }));
        print(opts, rows, () =>
          formatColumns(
            ['ID', 'SERVICE', 'SYSTEM NAME', 'PORTS'],
            rows.map((r) => [r.id, r.name, r.systemService ?? '', String(r.ports)]),
          ),
        );
      }),
    );

  withCommon(catalog.command('roles').description('list the server roles and the services each one runs'))
    .addHelpText(
      'after',
      '\nOptional services follow "optional:"; a role\u2019s former ids still work.\n\nExample:\n  portolan catalog roles\n',
    )
    .action(
      flagged(async (opts: CommonOpts) => {
        const cat = await load(opts);
        const rows = [...cat.roles.values()].map((r) => ({
          id: r.id,
          name: r.name,
          aliases: r.aliases ?? [],
          with: r.with ?? [],
          services: r.services.map((s) => s.service),
          optional: r.services.filter((s) => s.requirement === 'optional').map((s) => s.service),
          description: r.description,
        }));
        print(opts, rows, () =>
          formatColumns(
            ['ID', 'ROLE', 'SERVICES'],
            rows.map((r) => [
              r.aliases.length ? `${r.id} (was ${r.aliases.join(', ')})` : r.id,
              r.name,
              servicesText(r.services, r.optional),
            ]),
          ),
        );
      }),
    );

  withCommon(
    catalog
      .command('switches')
      .description('list the named conditions (--with NAME) and the rows and role entries each one turns on'),
  )
    .addHelpText(
      'after',
      '\nA switch makes its optional or conditional rows required; roles such as domain-controller turn some on' +
        ' themselves.\n\nExample:\n  portolan catalog switches\n  portolan catalog show domain-controller --with gc,dfsr-sysvol\n',
    )
    .action(
      flagged(async (opts: CommonOpts) => {
        const list = catalogSwitches(await load(opts));
        print(opts, list, () =>
          formatColumns(
            ['SWITCH', 'TURNS ON'],
            list.map((s) => [s.name, s.uses.map(useText).join('; ')]),
          ),
        );
      }),
    );

  withCommon(
    catalog
      .command('show <id>')
      .description('show one service or role: its ports, requirements, switches, conditions and why')
      .option('--profile <profile>', 'dynamic port range: modern 49152-65535 (default), legacy 1025-5000, or both')
      .option('--rpc-range <ports>', 'the RPC range your servers are pinned to, e.g. 5000-5100 (overrides --profile)')
      .option('--ftp-passive-range <ports>', 'the IIS FTP passive range, if configured (default: the profile\u2019s)')
      .option('--os <os>', `the target OS (${OS_VALUES.server.join(', ')}); default: the newest`)
      .option('--client-os <os>', `the clients\u2019 OS (${OS_VALUES.client.join(', ')}); default: the newest`)
      .option(
        '--with <names>',
        'turn on named conditions (repeatable or comma-separated); see `catalog switches`',
        collect,
      ),
  )
    .addHelpText(
      'after',
      `
Rows whose OS does not match are listed as "not checked" with the --os/--client-os values that
turn them on. SWITCH names each row's named conditions; "(on)" marks those this listing turned on.

Examples:
  portolan catalog show kdc
  portolan catalog show domain-controller --os 2008r2
  portolan catalog show domain-controller --with gc,dfsr-sysvol
  portolan catalog show dc-for-clients --client-os xp
`,
    )
    .action(
      flagged(async (id: string, opts: ShowOpts) => {
        const cat = await load(opts);
        const shown = showCatalogEntry(cat, id, {
          profile: opts.profile,
          rpcRange: opts.rpcRange ?? null,
          ftpPassiveRange: opts.ftpPassiveRange ?? null,
          os: opts.os ?? null,
          clientOs: opts.clientOs ?? null,
          with: opts.with ?? [],
        });
        print(opts, shown, () => showText(shown, Boolean(opts.os), Boolean(opts.clientOs)));
      }),
    );

  withCommon(
    catalog
      .command('ports')
      .description('the port-sorted table: which services use a port')
      .option('--port <port>', 'only this port (a port inside a range or port set matches too)', parsePort)
      .option('--protocol <protocol>', 'only tcp, udp, icmp or ip (any case)')
      .option('--profile <profile>', 'port sets as modern, legacy or both generations\u2019 ranges (default: both)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  portolan catalog ports --port 445\n  portolan catalog ports --port 3000          (the legacy RPC range 1025-5000)\n  portolan catalog ports --protocol udp --json\n',
    )
    .action(
      flagged(async (opts: PortsOpts) => {
        const rows = catalogPortTable(await load(opts), {
          port: opts.port,
          protocol: opts.protocol,
          profile: opts.profile,
        });
        print(opts, rows, () => (rows.length ? portsText(rows) : noRowsText(opts)));
      }),
    );
}

async function load(opts: CommonOpts): Promise<Catalog> {
  return loadCatalog({ dirs: opts.checks ?? [] });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65535) {
    throw new PortolanError('INVALID_VALUE', `--port "${value}": expected a port number 1-65535`);
  }
  return n;
}

function print(opts: CommonOpts, data: unknown, text: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

function servicesText(services: string[], optional: string[]): string {
  const required = services.filter((s) => !optional.includes(s));
  return optional.length ? `${required.join(', ')}; optional: ${optional.join(', ')}` : required.join(', ');
}

function useText(use: SwitchUse): string {
  if (use.kind === 'row') return `${use.service} ${use.endpoint}`;
  if (use.kind === 'role-entry') return `${use.service} in role ${use.role}`;
  return `always on in role ${use.role}`;
}

/** "--os 2008,2008r2", "--os 2008r2 or later", "--client-os xp,2003". */
function whenText(when: RowCondition | null): string {
  if (!when) return '';
  const part = (flag: string, values: string[] | undefined, all: readonly string[]) => {
    if (!values) return null;
    const from = all.indexOf(values[0] ?? '');
    const isTail = from > 0 && values.length === all.length - from && values.every((v, i) => v === all[from + i]);
    return `${flag} ${isTail ? `${values[0]} or later` : values.join(',')}`;
  };
  return [part('--os', when.os, OS_VALUES.server), part('--client-os', when.clientOs, OS_VALUES.client)]
    .filter(Boolean)
    .join(' ');
}

function switchText(row: CatalogShowRow | PortTableRow): string {
  const switches =
    'checked' in row
      ? (row.switches ?? []).map((s) => (s.on ? `${s.name} (on)` : s.name))
      : row.switch
        ? [row.switch]
        : [];
  return [...switches, whenText(row.when)].filter(Boolean).join(', ');
}

/** Condition, footnote, note and port set as sentences, so the column never reads ".;". */
function whyText(row: {
  condition: string | null;
  footnote: string | null;
  note: string | null;
  portSet: string | null;
}) {
  const text = joinSentences([
    row.condition ?? undefined,
    row.footnote ?? undefined,
    row.note ? `Note: ${row.note}` : undefined,
  ]);
  return [text, row.portSet && `(port set ${row.portSet})`].filter(Boolean).join(' ');
}

function showText(s: CatalogShow, osGiven: boolean, clientOsGiven: boolean): string {
  const lines = [`${s.name} (${s.kind} ${s.id}${s.aliases.length ? `, formerly ${s.aliases.join(', ')}` : ''})`];
  lines.push(`${s.kind === 'role' ? 'Description' : 'Summary'}: ${s.description}`);
  if (s.impact) lines.push(`Impact: ${s.impact}`);
  lines.push(
    `Switches on: ${s.with.join(', ') || 'none'}. OS: target ${s.os}${osGiven ? '' : ' (assumed: no --os)'}, clients ${s.clientOs}${clientOsGiven ? '' : ' (assumed: no --client-os)'}.`,
  );
  lines.push('');
  lines.push(
    formatColumns(
      ['SERVICE', 'PORT', 'APPLICATION', 'REQUIREMENT', 'SWITCH', 'WHY / CONDITION'],
      s.rows.map((r) => [
        r.service,
        endpointLabel(r),
        r.application,
        r.checked ? r.requirement : 'not checked',
        switchText(r),
        whyText(r),
      ]),
    ),
  );
  const unchecked = s.rows.filter((r) => !r.checked).length;
  if (unchecked) {
    lines.push(
      '',
      `${unchecked} row(s) not checked for this OS; the SWITCH column names the --os/--client-os that turns each on.`,
    );
  }
  return lines.join('\n');
}

function portLabel(r: PortTableRow): string {
  if (r.protocol === 'icmp') return 'echo';
  if (r.protocol === 'ip') return `proto ${r.ipProtocol}`;
  return r.port !== null ? String(r.port) : (r.range ?? '');
}

function portsText(rows: PortTableRow[]): string {
  return formatColumns(
    ['PORT', 'PROTOCOL', 'APPLICATION', 'SERVICE', 'REQUIREMENT', 'SWITCH', 'WHY / CONDITION'],
    rows.map((r) => [portLabel(r), r.protocol, r.application, r.serviceName, r.requirement, switchText(r), whyText(r)]),
  );
}

function noRowsText(opts: PortsOpts): string {
  const what = opts.port === undefined ? `protocol ${opts.protocol}` : `port ${opts.port}`;
  const over = opts.port !== undefined && opts.protocol ? ` over ${opts.protocol.toLowerCase()}` : '';
  return `No KB 832017 row uses ${what}${over}; \`portolan catalog ports\` lists every row.`;
}
