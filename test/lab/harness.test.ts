/**
 * The lab itself, checked without portolan: namespaces and isolation, Samba answering LDAP and
 * Kerberos, the firewalled view of the DC, the dropping and the closed host, and the ground
 * truth agreeing with an independent one-shot prober.
 */
import { expect } from 'chai';
import { app, ctx, int, octets, seq, Tag, tlv } from '../../src/protocols/codec/ber.js';
import { rawProbe } from './probe-helpers.js';
import { run } from './run.js';
import { currentLab } from './session.js';
import { HOSTS, PREFIX, REALM, SWITCH_NS } from './topology.js';

const DC = HOSTS.dc.address;

/** Anonymous LDAP search of the rootDSE (base scope, filter "(objectclass=*)"). */
const LDAP_ROOT_DSE = Buffer.from(
  '3025020101632004000a01000a0100020100020100010100870b6f626a656374636c6173733000',
  'hex',
);

function principal(type: number, ...names: string[]): Uint8Array {
  return seq(ctx(0, int(type)), ctx(1, seq(...names.map((n) => octets(n, Tag.generalString)))));
}

/** A Kerberos AS-REQ for administrator without pre-authentication: a KDC answers KRB-ERROR. */
function asReq(): Uint8Array {
  const body = seq(
    ctx(0, tlv(Tag.bitString, Uint8Array.of(0, 0x40, 0x81, 0, 0x10))),
    ctx(1, principal(1, 'administrator')),
    ctx(2, octets(REALM, Tag.generalString)),
    ctx(3, principal(2, 'krbtgt', REALM)),
    ctx(5, octets('20370913024805Z', Tag.generalizedTime)),
    ctx(7, int(0x1234567)),
    ctx(8, seq(int(18), int(17))),
  );
  return app(10, seq(ctx(1, int(5)), ctx(2, int(10)), ctx(4, body)));
}

describe('network lab harness', () => {
  it('creates every namespace on the private bridge, with no default route and nothing in the root namespace', async () => {
    const lab = currentLab();
    const names = (await lab.exec('cli', 'ip', ['netns', 'list'])).stdout;
    for (const host of Object.values(HOSTS)) expect(names).to.contain(host.ns);
    expect(names).to.contain(SWITCH_NS);
    for (const id of ['cli', 'fwc', 'brc', 'dc', 'srv', 'drop', 'closed'] as const) {
      const routes = (await lab.exec(id, 'ip', ['-4', 'route', 'show'])).stdout.trim();
      expect(routes, `${id} routes`).to.equal(
        `10.231.0.0/24 dev eth0 proto kernel scope link src ${HOSTS[id].address}`,
      );
    }
    const rootLinks = (await run('ip', ['-o', 'link'])).stdout;
    expect(rootLinks).not.to.match(/\bv-(cli|fwc|brc|dc|srv|drop|closed)\b/);
  });

  it('keeps the kernel default ICMP rate limit on the all-closed host', () => {
    expect(currentLab().icmpRateLimit).to.deep.equal({
      'net.ipv4.icmp_ratelimit': 1000,
      'net.ipv4.icmp_msgs_per_sec': 1000,
      'net.ipv4.icmp_msgs_burst': 50,
    });
  });

  it('Samba answers an LDAP rootDSE search on 389/tcp with the lab domain', async () => {
    const reply = await rawProbe(currentLab(), 'cli', 'tcp', DC, 389, LDAP_ROOT_DSE);
    expect(reply.result).to.equal('reply');
    expect(Buffer.from(reply.bytes, 'hex').toString('latin1')).to.match(/DC=portolan,DC=test/i);
  });

  it('Samba answers a Kerberos AS-REQ on 88/udp with a KRB-ERROR', async () => {
    const reply = await rawProbe(currentLab(), 'cli', 'udp', DC, 88, asReq());
    expect(reply.result).to.equal('reply');
    expect(reply.bytes.slice(0, 2), 'KRB-ERROR is [APPLICATION 30]').to.equal('7e');
  });

  it('Samba DNS answers the SOA of the lab domain on 53/udp', async () => {
    const dig = await currentLab().exec('cli', 'dig', [
      '+time=1',
      '+tries=1',
      '+short',
      `@${DC}`,
      'portolan.test',
      'SOA',
    ]);
    expect(dig.stdout).to.match(/^dc1\.portolan\.test\. /);
  });

  it('applies the firewalled view of the DC to the firewalled client only', async () => {
    const lab = currentLab();
    const cases: Array<[string, 'tcp' | 'udp', number, Uint8Array, string, string]> = [
      ['Kerberos/udp', 'udp', 88, asReq(), 'reply', 'timeout'],
      ['SMB', 'tcp', 445, new Uint8Array(), 'connected', 'refused'],
      ['GC', 'tcp', 3268, new Uint8Array(), 'connected', 'timeout'],
      ['GC SSL', 'tcp', 3269, new Uint8Array(), 'connected', 'timeout'],
      ['LDAP', 'tcp', 389, new Uint8Array(), 'connected', 'connected'],
      ['Kerberos/tcp', 'tcp', 88, new Uint8Array(), 'connected', 'connected'],
    ];
    const rpc = lab.truth.dc.listeners.find((l) => l.protocol === 'tcp' && l.port >= 49152);
    expect(rpc, 'Samba listens in the dynamic RPC range').to.not.equal(undefined);
    if (rpc) cases.push(['dynamic RPC', 'tcp', rpc.port, new Uint8Array(), 'connected', 'timeout']);
    for (const [name, protocol, port, payload, healthy, firewalled] of cases) {
      const fromCli = await rawProbe(lab, 'cli', protocol, DC, port, payload, 1_500);
      const fromFwc = await rawProbe(lab, 'fwc', protocol, DC, port, payload, 1_500);
      expect(fromCli.result, `${name} from the healthy client`).to.equal(healthy);
      expect(fromFwc.result, `${name} from the firewalled client`).to.equal(firewalled);
    }
  });

  it('drops everything on the drop host and refuses everything on the closed host', async () => {
    const lab = currentLab();
    expect((await rawProbe(lab, 'cli', 'tcp', HOSTS.drop.address, 445, undefined, 1_000)).result).to.equal('timeout');
    expect((await rawProbe(lab, 'cli', 'udp', HOSTS.drop.address, 53, undefined, 1_000)).result).to.equal('timeout');
    expect((await rawProbe(lab, 'cli', 'tcp', HOSTS.closed.address, 445)).result).to.equal('refused');
    expect((await rawProbe(lab, 'cli', 'udp', HOSTS.closed.address, 53)).result).to.equal('refused');
  });

  it('derives the ground truth from the rules and the listeners', () => {
    const lab = currentLab();
    expect(lab.expectedState('dc', 'cli', 'tcp', 445).states).to.deep.equal(['open']);
    expect(lab.expectedState('dc', 'fwc', 'tcp', 445).states).to.deep.equal(['closed']);
    expect(lab.expectedState('dc', 'fwc', 'tcp', 3268).states).to.deep.equal(['filtered']);
    expect(lab.expectedState('dc', 'fwc', 'udp', 88).states).to.deep.equal(['open|filtered', 'filtered']);
    expect(lab.expectedState('dc', 'cli', 'udp', 88).states).to.deep.equal(['open', 'open|filtered']);
    expect(lab.expectedState('dc', 'cli', 'tcp', 9389).states).to.deep.equal(['closed']);
    expect(lab.expectedState('drop', 'cli', 'tcp', 80).states).to.deep.equal(['filtered']);
    expect(lab.expectedState('closed', 'cli', 'udp', 161).states).to.deep.equal(['closed']);
    expect(lab.expectedState('srv', 'cli', 'udp', 161).states).to.deep.equal(['open', 'open|filtered']);
    expect(lab.expectedState('srv', 'cli', 'tcp', 5985).states).to.deep.equal(['open']);
  });

  it('the server host runs every configured service on its lab address', async () => {
    const lab = currentLab();
    const srv = HOSTS.srv.address;
    const http = await lab.exec('cli', 'nc', ['-w', '2', srv, '5985'], {
      input: 'POST /wsman HTTP/1.0\r\nHost: srv.portolan.test\r\nContent-Length: 0\r\n\r\n',
      allowFailure: true,
    });
    expect(http.stdout).to.match(/^HTTP\/1\.1 401/);
    expect(http.stdout).to.match(/WWW-Authenticate: Negotiate/i);
    const daytime = await rawProbe(lab, 'cli', 'udp', srv, 13, Buffer.from('x'));
    expect(daytime.result).to.equal('reply');
    const echo = await rawProbe(lab, 'cli', 'tcp', srv, 7, Buffer.from('portolan'));
    expect(Buffer.from(echo.bytes, 'hex').toString()).to.equal('portolan');
    expect(PREFIX).to.equal('plab-');
  });
});
