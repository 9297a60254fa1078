/**
 * Where the system tools portolan runs come from on each platform, for the messages that
 * say one is missing. `ping` ships with every supported OS except minimal Linux images;
 * `dig` is optional everywhere (portolan falls back to its own DNS query and Node's resolver).
 */

/** The external programs portolan spawns. */
export type SystemTool = 'ping' | 'dig';

const WHERE: Record<SystemTool, { win32: string; darwin: string; other: string }> = {
  ping: {
    win32: 'ping.exe ships with Windows in C:\\Windows\\System32: check that PATH includes it',
    darwin: 'ping ships with macOS in /sbin: check that PATH includes it',
    other: 'install iputils-ping (Debian/Ubuntu) or iputils (RHEL/Fedora)',
  },
  dig: {
    win32: "optional: the BIND 9 tools for Windows (ISC's last Windows build is 9.16), or run portolan under WSL",
    darwin: 'dig ships with macOS in /usr/bin: check that PATH includes it',
    other: 'apt-get install dnsutils (Debian/Ubuntu) or dnf install bind-utils (RHEL/Fedora)',
  },
};

/** How to get `tool` on `platform`, in one clause ("install iputils-ping ..."). */
export function whereToGet(tool: SystemTool, platform: NodeJS.Platform): string {
  const where = WHERE[tool];
  return platform === 'win32' ? where.win32 : platform === 'darwin' ? where.darwin : where.other;
}
