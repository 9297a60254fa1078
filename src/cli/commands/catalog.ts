/**
 * `portolan catalog ...`: read-only views of the catalog (services, roles, one entry,
 * the port-sorted table). Every view has `--json` for scripts.
 */
import type { Command } from 'commander';
import { expandRole, expandService } from '../../catalog/expand.js';
import { loadCatalog } from '../../catalog/load.js';
import { catalogPortTable, type PortTableRow } from '../../catalog/port-table.js';
import { PortolanError } from '../../errors.js';
import type { Catalog, Expectation, RpcProfile } from '../../model.js';
import { addRunOptions } from '../run-option-flags.js';
import { formatColumns } from '../text-table.js';

interface CommonOpts {
  checks?: string[];
  json?: boolean;
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
    .action(async (opts: CommonOpts) => {
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
    });

  withCommon(catalog.command('roles').description('list the server roles and what each one runs'))
    .addHelpText('after', '\nExample:\n  portolan catalog roles\n')
    .action(async (opts: CommonOpts) => {
      const cat = await load(opts);
      const rows = [...cat.roles.values()].map((r) => ({
        id: r.id,
        name: r.name,
        services: r.services.map((s) => s.service),
        description: r.description,
      }));
      print(opts, rows, () =>
        formatColumns(
          ['ID', 'ROLE', 'SERVICES'],
          rows.map((r) => [r.id, r.name, String(r.services.length)]),
        ),
      );
    });

  withCommon(
    addRunOptions(
      catalog.command('show <id>').description('show one service or role: its ports, requirement, conditions and why'),
      ['profile', 'os', 'clientOs'],
      { os: 'the target OS (2008, 2008r2, 2016 ...) for rows that apply to some OS only' },
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  portolan catalog show kdc\n  portolan catalog show domain-controller --os 2008r2\n',
    )
    .action(async (id: string, opts: CommonOpts & { profile: RpcProfile; os?: string; clientOs?: string }) => {
      const cat = await load(opts);
      const expandOpts = { profile: opts.profile, os: opts.os ?? null, clientOs: opts.clientOs ?? null };
      const role = cat.roles.get(id);
      const service = cat.services.get(id);
      if (!role && !service) {
        throw new PortolanError(
          'UNKNOWN_ID',
          `no service or role "${id}"; see \`portolan catalog services\` and \`portolan catalog roles\``,
        );
      }
      const expectations = role ? expandRole(cat, id, expandOpts) : expandService(cat, id, expandOpts);
      const head = role
        ? { kind: 'role', id: role.id, name: role.name, description: role.description }
        : { kind: 'service', id, name: service?.name, summary: service?.summary, impact: service?.impact };
      print(opts, { ...head, expectations }, () => showText(head, expectations));
    });

  withCommon(
    catalog
      .command('ports')
      .description('the port-sorted table: which services use a port')
      .option('--port <port>', 'only this port (a port inside a range or port set matches too)', parsePort)
      .option('--protocol <protocol>', 'only tcp, udp, icmp or ip'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  portolan catalog ports --port 445\n  portolan catalog ports --protocol udp --json\n',
    )
    .action(async (opts: CommonOpts & { port?: number; protocol?: string }) => {
      if (opts.protocol && !['tcp', 'udp', 'icmp', 'ip'].includes(opts.protocol)) {
        throw new PortolanError('INVALID_VALUE', `--protocol "${opts.protocol}": expected tcp, udp, icmp or ip`);
      }
      const rows = catalogPortTable(await load(opts), { port: opts.port, protocol: opts.protocol });
      print(opts, rows, () => portsText(rows));
    });
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

function where(e: { protocol: string; port: number | null; range: string | null; ipProtocol: number | null }) {
  if (e.protocol === 'icmp') return 'icmp echo';
  if (e.protocol === 'ip') return `ip proto ${e.ipProtocol}`;
  return `${e.port ?? e.range}/${e.protocol}`;
}

function showText(head: Record<string, unknown>, expectations: Expectation[]): string {
  const lines = [`${head.name} (${head.kind} ${head.id})`];
  for (const key of ['description', 'summary', 'impact'] as const) {
    if (head[key]) lines.push(`${key[0]?.toUpperCase()}${key.slice(1)}: ${head[key]}`);
  }
  lines.push('');
  lines.push(
    formatColumns(
      ['SERVICE', 'PORT', 'APPLICATION', 'REQUIREMENT', 'WHY / CONDITION'],
      expectations.map((e) => [
        e.service,
        where(e),
        e.application,
        e.requirement,
        [e.condition, e.footnote, e.portSet ? `port set ${e.portSet}` : null].filter(Boolean).join('; '),
      ]),
    ),
  );
  return lines.join('\n');
}

function portsText(rows: PortTableRow[]): string {
  return formatColumns(
    ['PORT', 'PROTOCOL', 'APPLICATION', 'SERVICE', 'REQUIREMENT'],
    rows.map((r) => [
      r.port !== null ? String(r.port) : (r.range ?? r.portSet ?? (r.protocol === 'ip' ? 'n/a' : 'echo')),
      r.protocol,
      r.application,
      r.serviceName,
      r.condition ? `${r.requirement}: ${r.condition}` : r.requirement,
    ]),
  );
}
