/**
 * `portolan listen` and the host's own Windows Defender Firewall, from a recorded answer of the
 * firewall query (test/fixtures/windows-firewall/README.md): which served ports the rules let
 * in, the exact PowerShell advice, and the add/remove flow with PowerShell injected.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { PowerShellOutcome } from '../../src/platform/powershell.js';
import { windowsFirewall } from '../../src/responder/firewall-session.js';
import { runListen, type TextStream } from '../../src/responder/session.js';
import {
  adviceText,
  coverage,
  FIREWALL_QUERY,
  type FirewallState,
  parseFirewallAnswer,
  psQuote,
  type ServedPortKey,
} from '../../src/responder/windows-firewall.js';

const RECORDED = readFileSync(new URL('../fixtures/windows-firewall/new-server.json', import.meta.url), 'utf8');
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const RULES = { sessionId: '5e55', program: NODE };
const FLAG = '--add-firewall-rules';

const port = (spec: string): ServedPortKey => {
  const [n, t] = spec.split('/');
  return { port: Number(n), transport: t as 'tcp' | 'udp' };
};
const SERVED = ['53/tcp', '53/udp', '88/udp', '123/udp', '135/tcp', '389/tcp', '3268/tcp', '5985/tcp'].map(port);

function recorded(): FirewallState {
  const parsed = parseFirewallAnswer(RECORDED);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.state;
}

function accessByPort(state: FirewallState, program = NODE): Record<string, string> {
  return Object.fromEntries(
    coverage(state, SERVED, program).map((c) => [`${c.port.port}/${c.port.transport}`, c.access.status]),
  );
}

/** A PowerShell stand-in: answers in order, and remembers the scripts it was given. */
function fakePowerShell(...answers: PowerShellOutcome[]) {
  const scripts: string[] = [];
  const run = async (script: string) => {
    scripts.push(script);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected PowerShell script: ${script}`);
    return next;
  };
  return { run, scripts };
}

const ok = (stdout = ''): PowerShellOutcome => ({ exitCode: 0, stdout, stderr: '' });

describe('Windows Defender Firewall for portolan listen', () => {
  it('reads the recorded answer: profiles, the active one, every enabled inbound rule', () => {
    const state = recorded();
    expect(state.active).to.deep.equal(['Domain']);
    expect(state.profiles.map((p) => [p.name, p.enabled, p.defaultInboundAllow])).to.deep.equal([
      ['Domain', true, false],
      ['Private', true, false],
      ['Public', true, false],
    ]);
    expect(state.rules).to.have.length(13);
    const ldap = state.rules.find((r) => r.displayName === 'Allow LDAP from the client VLAN');
    expect(ldap).to.deep.include({ profiles: ['Domain'], localPorts: ['389', '636', '3268-3269'] });
    expect(state.rules.find((r) => r.name === 'WINRM-HTTP-In-TCP')?.profiles).to.deep.equal(['Domain', 'Private']);
  });

  it('a port is allowed only by a rule for any program or this node.exe, in the active profile', () => {
    expect(accessByPort(recorded())).to.deep.equal({
      // No rule at all: a new server's own firewall drops these.
      '53/tcp': 'no-rule',
      '53/udp': 'no-rule',
      '88/udp': 'no-rule',
      // Rules exist for 135 and 5985, but only for svchost (RpcSs) and System: not for our listener.
      '135/tcp': 'no-rule',
      '5985/tcp': 'no-rule',
      // A Group Policy block rule wins whatever else allows.
      '123/udp': 'blocked',
      // The administrator's rule (any program), a single port and a range.
      '389/tcp': 'allowed',
      '3268/tcp': 'allowed',
    });
  });

  it("on a Public network the Block rules of node.exe's dismissed prompt stop every port", () => {
    const state = { ...recorded(), active: ['Public' as const] };
    const access = accessByPort(state);
    expect(Object.values(access)).to.deep.equal(Array(SERVED.length).fill('blocked'));
    // The same Block rules do not concern another program's listener: for it 5985 is allowed (WinRM Public, LocalSubnet).
    expect(accessByPort(state, 'System')['5985/tcp']).to.equal('allowed');
  });

  it('a profile with the firewall off, or default inbound Allow, lets every port in (block rules still win)', () => {
    const state = recorded();
    const off = { ...state, profiles: state.profiles.map((p) => ({ ...p, enabled: p.name !== 'Domain' })) };
    expect(new Set(Object.values(accessByPort(off)))).to.deep.equal(new Set(['firewall-off']));
    const allow = { ...state, profiles: state.profiles.map((p) => ({ ...p, defaultInboundAllow: true })) };
    expect(accessByPort(allow)['53/udp']).to.equal('default-allow');
    expect(accessByPort(allow)['123/udp']).to.equal('blocked');
    // Two networks, Domain and Public: the worst decides.
    expect(accessByPort({ ...state, active: ['Domain', 'Public'] })['389/tcp']).to.equal('blocked');
  });

  it('advises the exact PowerShell to open the ports for the session and to close them again', () => {
    const text = adviceText(coverage(recorded(), SERVED, NODE), RULES, FLAG).join('\n');
    expect(text).to.include(
      "  New-NetFirewallRule -Name 'portolan-listen-5e55-tcp' -DisplayName 'portolan listen (temporary, TCP)' " +
        "-Group 'portolan listen' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 53,135,5985 " +
        "-Program 'C:\\Program Files\\nodejs\\node.exe' -Profile Any\n",
    );
    expect(text).to.include('-Protocol UDP -LocalPort 53,88 ');
    expect(text).to.include("  Disable-NetFirewallRule -Name '{2B4D6F80-1A3C-4E5F-9071-82A3B4C5D6E7}'\n");
    expect(text).to.include(
      "and afterwards, to remove them again:\n\n  Remove-NetFirewallRule -Name 'portolan-listen-5e55-tcp','portolan-listen-5e55-udp'\n" +
        "  Enable-NetFirewallRule -Name '{2B4D6F80-1A3C-4E5F-9071-82A3B4C5D6E7}'",
    );
    expect(text).to.include('Group Policy cannot be disabled here');
    expect(text).to.include(`add ${FLAG} (elevated)`);
    // Nothing to say when every port is let in.
    const allowed = coverage(recorded(), [port('389/tcp')], NODE);
    expect(adviceText(allowed, RULES, FLAG)).to.deep.equal([]);
  });

  it('quotes for PowerShell: a path with an apostrophe stays one argument', () => {
    expect(psQuote("C:\\Users\\o'brien\\node.exe")).to.equal("'C:\\Users\\o''brien\\node.exe'");
  });

  it('reads what Windows PowerShell 5.1 wraps or flattens, and refuses what is not an answer', () => {
    const wrapped = JSON.stringify({
      Profiles: { Name: 'Domain', Enabled: 'True', DefaultInboundAction: 'Block' },
      ActiveCategories: 'DomainAuthenticated',
      Rules: {
        value: [
          {
            Name: 'a',
            DisplayName: 'A',
            Action: 'Allow',
            Profile: '1',
            Protocol: '17',
            LocalPort: '88',
            Program: 'Any',
          },
          { Name: 'b', DisplayName: 'B', Action: 'NotConfigured', Profile: 'Any', Protocol: 'TCP', LocalPort: 'Any' },
        ],
        Count: 2,
      },
    });
    const parsed = parseFirewallAnswer(`\uFEFF${wrapped}`);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.state.rules.map((r) => r.name)).to.deep.equal(['a']);
    expect(coverage(parsed.state, [port('88/udp')], NODE)[0]?.access.status).to.equal('allowed');
    expect(parseFirewallAnswer('Get-NetFirewallRule : Access is denied.')).to.include({ ok: false });
    expect(parseFirewallAnswer('{"Rules": 3}')).to.deep.equal({
      ok: false,
      reason: 'the firewall query answered JSON without Rules and Profiles',
    });
  });

  it('the query reads the effective policy and casts enums to strings', () => {
    expect(FIREWALL_QUERY).to.include('Get-NetFirewallRule -Direction Inbound -Enabled True -PolicyStore $store');
    expect(FIREWALL_QUERY).to.include("$store = 'ActiveStore'");
    expect(FIREWALL_QUERY).to.include('Action = [string]$r.Action');
    expect(FIREWALL_QUERY).to.match(/ConvertTo-Json -Depth 4$/);
  });
});

describe('the firewall during a listen session (PowerShell injected)', () => {
  const open = SERVED;

  it('advises by default: one query, no change to the host, and the summary names the rules in place', async () => {
    const ps = fakePowerShell(ok(RECORDED));
    const fw = windowsFirewall({ run: ps.run, addRules: false, rules: RULES, flag: FLAG });
    const start = await fw.prepare(open);
    expect(start.text).to.include('Windows Defender Firewall (active profile: Domain), inbound:');
    expect(start.text).to.include('389/tcp     Allow LDAP from the client VLAN (from 10.20.0.0/255.255.0.0 only)');
    expect(start.text).to.include('NOT ALLOWED (no inbound rule admits them): 53/tcp 53/udp 88/udp 135/tcp 5985/tcp');
    expect(start.text).to.include('New-NetFirewallRule');
    expect(start.json).to.deep.include({ event: 'firewall', activeProfiles: ['Domain'], added: [] });
    const end = await fw.finish();
    expect(ps.scripts).to.have.length(1);
    expect(end.text).to.include('389/tcp     rules in place: Allow LDAP from the client VLAN');
    expect(end.text).to.include('blocked by a rule: 123/udp');
    expect(end.text).to.include('no rule admitted: 53/tcp 53/udp 88/udp 135/tcp 5985/tcp');
  });

  it('with the flag adds rules for the ports no rule admits, and removes exactly those at the end', async () => {
    const ps = fakePowerShell(ok(RECORDED), ok(), ok());
    const fw = windowsFirewall({ run: ps.run, addRules: true, rules: RULES, flag: FLAG });
    const start = await fw.prepare(open);
    expect(ps.scripts[1]).to.include(
      "-Protocol TCP -LocalPort 53,135,5985 -Program 'C:\\Program Files\\nodejs\\node.exe'",
    );
    expect(ps.scripts[1]).to.include('-Protocol UDP -LocalPort 53,88 ');
    expect(ps.scripts[1]).to.not.include('389');
    expect(start.text).to.include('Added temporary allow rules for 53/tcp 53/udp 88/udp 135/tcp 5985/tcp');
    // The block rule still needs a person: the advice says how.
    expect(start.text).to.include("Disable-NetFirewallRule -Name '{2B4D6F80-1A3C-4E5F-9071-82A3B4C5D6E7}'");
    expect(start.json.added).to.deep.equal(['portolan-listen-5e55-tcp', 'portolan-listen-5e55-udp']);
    const end = await fw.finish();
    expect(ps.scripts[2]).to.include(
      "Remove-NetFirewallRule -Name 'portolan-listen-5e55-tcp','portolan-listen-5e55-udp'",
    );
    expect(end.text).to.include(
      'added for this session and removed again: portolan-listen-5e55-tcp, portolan-listen-5e55-udp',
    );
    expect(end.json).to.deep.include({ removed: true });
  });

  it('without elevation says so, prints the commands, and removes nothing at the end', async () => {
    const denied = {
      exitCode: 1,
      stdout: '',
      stderr: 'New-NetFirewallRule : Access is denied.\r\nAt line:2 char:1\r\n',
    };
    const ps = fakePowerShell(ok(RECORDED), denied);
    const fw = windowsFirewall({ run: ps.run, addRules: true, rules: RULES, flag: FLAG });
    const start = await fw.prepare(open);
    expect(start.text).to.include('Could not add the rules (New-NetFirewallRule : Access is denied.)');
    expect(start.text).to.include('Remove-NetFirewallRule');
    await fw.finish();
    expect(ps.scripts).to.have.length(2);
  });

  it('a failed query still leaves the operator the commands for every served port', async () => {
    const ps = fakePowerShell({
      exitCode: 1,
      stdout: '',
      stderr: 'Get-NetFirewallRule : The term is not recognized\r\n',
    });
    const fw = windowsFirewall({ run: ps.run, addRules: false, rules: RULES, flag: FLAG });
    const start = await fw.prepare(open);
    expect(start.text).to.include('Could not read the Windows Defender Firewall rules: Get-NetFirewallRule : The term');
    expect(start.text).to.include('-Protocol TCP -LocalPort 53,135,389,3268,5985 ');
    expect((await fw.finish()).text).to.include('the rules could not be read');
  });

  it('listen prints the firewall report before the client command, and the firewall summary last', async () => {
    class Capture implements TextStream {
      text = '';
      write(t: string) {
        this.text += t;
        return true;
      }
    }
    const stdout = new Capture();
    const ps = fakePowerShell(ok(RECORDED));
    await runListen({
      responder: { token: 'tok', bind: '127.0.0.1', ports: [{ transport: 'tcp', port: 0 }] },
      notServed: [],
      durationMs: 50,
      format: 'table',
      clientCommand: ['portolan', 'check'],
      generatedToken: false,
      stdout,
      stderr: new Capture(),
      firewall: windowsFirewall({ run: ps.run, addRules: false, rules: RULES, flag: FLAG }),
    });
    const at = (s: string) => stdout.text.indexOf(s);
    expect(at('Windows Defender Firewall (active profile: Domain)')).to.be.greaterThan(-1);
    expect(at('Windows Defender Firewall (active profile: Domain)')).to.be.lessThan(at('On each client, run:'));
    expect(at('Windows Defender Firewall during this session:')).to.be.greaterThan(at('Stopped ('));
  });
});
