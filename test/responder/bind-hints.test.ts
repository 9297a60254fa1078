import { expect } from 'chai';
import { addressHint, deniedHint, inUseHint } from '../../src/responder/bind-hints.js';

describe('listen: why a port could not be opened, per platform', () => {
  it('EACCES: root or setcap on Linux, sudo on macOS, a reserved port range on Windows', () => {
    expect(deniedHint(88, 'linux', 'bind EACCES')).to.include('setcap cap_net_bind_service=+ep');
    expect(deniedHint(88, 'darwin', 'bind EACCES')).to.equal(
      'ports below 1024 need root on macOS: run listen with sudo',
    );
    const windows = deniedHint(50000, 'win32', 'bind EACCES 0.0.0.0:50000');
    expect(windows).to.include('netsh interface ipv4 show excludedportrange protocol=tcp');
    expect(windows).to.not.include('setcap');
    expect(deniedHint(5000, 'linux', 'bind EACCES')).to.equal('permission denied (bind EACCES)');
  });

  it("names each platform's command for addresses and for a port's owner", () => {
    expect(addressHint('192.0.2.1', 'win32')).to.include('`Get-NetIPAddress`');
    expect(addressHint('192.0.2.1', 'darwin')).to.include('`ifconfig`');
    expect(addressHint('192.0.2.1', 'linux')).to.include('`ip -brief address`');
    expect(inUseHint(389, 'tcp', 'win32')).to.include('Get-NetTCPConnection -LocalPort 389 -State Listen');
    expect(inUseHint(389, 'udp', 'win32')).to.include('Get-NetUDPEndpoint -LocalPort 389');
    expect(inUseHint(389, 'udp', 'darwin')).to.include('lsof -nP -iUDP:389');
    expect(inUseHint(389, 'tcp', 'linux')).to.include("ss -Hlnpt 'sport = :389'");
  });
});
