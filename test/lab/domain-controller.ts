/**
 * The Samba AD DC: provisioned offline into the run dir (about 5 s, so no template cache is
 * needed), then started in the foreground inside the DC namespace, with chrony beside it as the
 * domain's NTP server. Both bind the DC's lab address only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSet } from './daemons.js';
import { run } from './run.js';
import { ADMIN_PASSWORD, DC_HOSTNAME, DOMAIN, REALM } from './topology.js';

/** Listeners that mean Samba is up: LDAP, SMB, Kerberos, RPC endpoint mapper, DNS. */
export const DC_READY = {
  tcp: [53, 88, 135, 389, 445, 3268],
  udp: [53, 88],
} as const;

export async function provisionSamba(sambaDir: string, address: string): Promise<string> {
  const run_ = join(sambaDir, 'run');
  mkdirSync(run_, { recursive: true });
  const options = {
    interfaces: address,
    'bind interfaces only': 'yes',
    'pid directory': run_,
    'ncalrpc dir': join(run_, 'ncalrpc'),
    'winbindd socket directory': join(run_, 'winbindd'),
    'ntp signd socket directory': join(run_, 'ntp_signd'),
    'log file': join(sambaDir, 'log.%m'),
    'load printers': 'no',
    printing: 'bsd',
    'printcap name': '/dev/null',
    'disable spoolss': 'yes',
    // Both helpers would ask the machine's resolver, which is outside the lab: the records exist already.
    'dns update command': '/bin/true',
    'spn update command': '/bin/true',
  };
  await run(
    'samba-tool',
    [
      'domain',
      'provision',
      `--realm=${REALM}`,
      `--domain=${DOMAIN}`,
      '--server-role=dc',
      '--dns-backend=SAMBA_INTERNAL',
      `--adminpass=${ADMIN_PASSWORD}`,
      '--use-rfc2307',
      `--host-name=${DC_HOSTNAME}`,
      `--host-ip=${address}`,
      `--targetdir=${sambaDir}`,
      ...Object.entries(options).map(([k, v]) => `--option=${k}=${v}`),
    ],
    { timeoutMs: 120_000 },
  );
  const conf = join(sambaDir, 'etc', 'smb.conf');
  // Provisioning copies the machine's resolver as "dns forwarder": the lab's DNS must never forward.
  const text = readFileSync(conf, 'utf8').replace(/^\s*dns forwarder\s*=.*\n/m, '');
  writeFileSync(conf, text);
  return conf;
}

function chronyConf(dir: string, address: string, subnet: string): string {
  return `port 123
bindaddress ${address}
allow ${subnet}
local stratum 8
cmdport 0
pidfile ${join(dir, 'chronyd.pid')}
`;
}

export async function startDomainController(
  daemons: DaemonSet,
  runDir: string,
  ns: string,
  address: string,
  subnet: string,
): Promise<void> {
  const conf = await provisionSamba(join(runDir, 'samba'), address);
  // -i: foreground, log to stdout, and exit when stdin closes, so Samba dies with the suite.
  daemons.start('samba', ns, 'samba', ['-i', '-s', conf], { holdStdin: true });

  const chrony = join(runDir, 'chrony');
  mkdirSync(chrony, { recursive: true });
  writeFileSync(join(chrony, 'chrony.conf'), chronyConf(chrony, address, subnet));
  // -x: serve time without touching the machine's clock; -u root: the pid file stays in the run dir.
  daemons.start('chronyd', ns, 'chronyd', ['-d', '-x', '-u', 'root', '-f', join(chrony, 'chrony.conf')]);
}
