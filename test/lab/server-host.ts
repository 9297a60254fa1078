/**
 * The server host: snmpd, tftpd-hpa, nginx (HTTP 80, HTTPS 443, a WinRM stand-in on 5985) and
 * inetd's internal simple TCP/IP services, each with a config file of the lab's own, bound to
 * the host's lab address only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSet } from './daemons.js';
import { run } from './run.js';

/** Listeners the server host must show before it counts as ready. */
export const SERVER_PORTS = {
  tcp: [7, 9, 13, 19, 80, 443, 5985],
  udp: [7, 9, 13, 19, 69, 161],
} as const;

const SIMPLE_SERVICES = ['echo', 'discard', 'daytime', 'chargen'] as const;

function nginxConf(dir: string, address: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(dir, 'tmp', kind)};`)
    .join('\n');
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')};
events { worker_connections 64; }
http {
  access_log off;
  default_type text/plain;
${temp}
  server {
    listen ${address}:80;
    location / { return 200 "portolan lab http\\n"; }
  }
  server {
    listen ${address}:443 ssl;
    ssl_certificate ${join(dir, 'lab.crt')};
    ssl_certificate_key ${join(dir, 'lab.key')};
    location / { return 200 "portolan lab https\\n"; }
  }
  # WinRM stand-in: what a Windows host answers to an unauthenticated WS-Management request.
  server {
    listen ${address}:5985;
    location /wsman { add_header WWW-Authenticate Negotiate always; return 401; }
    location / { return 404; }
  }
}
`;
}

function inetdConf(address: string): string {
  const lines = [`${address}:`];
  for (const name of SIMPLE_SERVICES) {
    lines.push(`${name}\tstream\ttcp\tnowait\troot\tinternal`, `${name}\tdgram\tudp\twait\troot\tinternal`);
  }
  return `${lines.join('\n')}\n`;
}

function snmpdConf(address: string, subnet: string): string {
  return `agentaddress udp:${address}:161
rocommunity public ${subnet}
sysLocation portolan network lab
sysContact lab@portolan.test
`;
}

export async function startServerHost(
  daemons: DaemonSet,
  runDir: string,
  ns: string,
  address: string,
  subnet: string,
): Promise<void> {
  const nginx = join(runDir, 'nginx');
  for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(nginx, 'tmp', kind), { recursive: true });
  }
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=srv.portolan.test',
    '-addext',
    `subjectAltName=DNS:srv.portolan.test,IP:${address}`,
    '-keyout',
    join(nginx, 'lab.key'),
    '-out',
    join(nginx, 'lab.crt'),
  ]);
  writeFileSync(join(nginx, 'nginx.conf'), nginxConf(nginx, address));
  daemons.start('nginx', ns, 'nginx', [
    '-e',
    join(nginx, 'error.log'),
    '-c',
    join(nginx, 'nginx.conf'),
    '-g',
    'daemon off;',
  ]);

  const snmp = join(runDir, 'snmpd');
  mkdirSync(snmp, { recursive: true });
  writeFileSync(join(snmp, 'snmpd.conf'), snmpdConf(address, subnet));
  // env keeps snmpd's state in the run dir and skips MIB loading; -C reads only our config; no SMUX (tcp/199).
  daemons.start('snmpd', ns, 'env', [
    `SNMP_PERSISTENT_DIR=${snmp}`,
    'MIBS=',
    'snmpd',
    '-f',
    '-Lo',
    '-C',
    '-I',
    '-smux',
    '-c',
    join(snmp, 'snmpd.conf'),
    '-p',
    join(snmp, 'snmpd.pid'),
  ]);

  const tftp = join(runDir, 'tftp');
  mkdirSync(tftp, { recursive: true });
  writeFileSync(join(tftp, 'portolan-lab.txt'), 'portolan lab tftp file\n');
  daemons.start('tftpd', ns, 'in.tftpd', ['-L', '-s', tftp, '-a', `${address}:69`]);

  const inetd = join(runDir, 'inetd');
  mkdirSync(join(inetd, 'run'), { recursive: true });
  writeFileSync(join(inetd, 'inetd.conf'), inetdConf(address));
  // openbsd-inetd always writes /run/inetd.pid: a private mount namespace points /run at the run dir.
  daemons.start('inetd', ns, 'unshare', [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    `mount --bind "$1" /run && exec inetd -i "$2"`,
    'inetd',
    join(inetd, 'run'),
    join(inetd, 'inetd.conf'),
  ]);
}
