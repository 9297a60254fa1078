/**
 * What to tell an operator whose port could not be opened, per platform: the same failure
 * (EACCES, EADDRNOTAVAIL, EADDRINUSE) has different causes and different commands to look
 * into it on Linux, macOS and Windows.
 */
import type { ResponderTransport } from './handshake.js';

/** EACCES on bind. Windows needs no rights for low ports: there it is a reserved (excluded) port range. */
export function deniedHint(port: number, platform: NodeJS.Platform, message: string): string {
  if (platform === 'win32') {
    return `Windows refused the port (${message}): it is most likely in a range Windows reserves (Hyper-V, WinNAT); see \`netsh interface ipv4 show excludedportrange protocol=tcp\` (or protocol=udp)`;
  }
  if (port >= 1024) return `permission denied (${message})`;
  if (platform === 'darwin') return 'ports below 1024 need root on macOS: run listen with sudo';
  return 'ports below 1024 need root or CAP_NET_BIND_SERVICE: run as root, or grant it with `sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(which node)")"`';
}

/** EADDRNOTAVAIL: how to list this host's addresses. */
export function addressHint(bind: string, platform: NodeJS.Platform): string {
  const list = platform === 'win32' ? 'Get-NetIPAddress' : platform === 'darwin' ? 'ifconfig' : 'ip -brief address';
  return `${bind} is not an address of this host (EADDRNOTAVAIL); see \`${list}\``;
}

/** EADDRINUSE where the holder could not be read: the command that names it. */
export function inUseHint(port: number, transport: ResponderTransport, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const cmdlet =
      transport === 'tcp'
        ? `Get-NetTCPConnection -LocalPort ${port} -State Listen`
        : `Get-NetUDPEndpoint -LocalPort ${port}`;
    return `in use by another program (\`${cmdlet} | Select-Object OwningProcess\` names it)`;
  }
  if (platform === 'darwin') {
    return `in use by another program (\`sudo lsof -nP -i${transport === 'tcp' ? 'TCP' : 'UDP'}:${port}\` names it)`;
  }
  return `in use by another program (as root, \`ss -Hlnp${transport === 'tcp' ? 't' : 'u'} 'sport = :${port}'\` names it)`;
}
