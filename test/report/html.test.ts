import { expect } from 'chai';
import { CSP, renderHtml } from '../../src/report/html.js';
import { HTML_SCRIPT } from '../../src/report/html-assets.js';
import { loadFixture, NOW } from './fixtures.js';
import { HOSTILE } from './scenarios.js';

interface Tag {
  name: string;
  attributes: string[];
}

/**
 * A small HTML tokenizer: every start tag with its attribute names, outside the raw-text
 * <script> and <style> bodies (whose ends it finds the way a browser does: the first "</script").
 */
function tags(html: string): { tags: Tag[]; scripts: string[] } {
  const found: Tag[] = [];
  const scripts: string[] = [];
  const re = /<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
  let m: RegExpExecArray | null = re.exec(html);
  while (m) {
    const name = (m[1] as string).toLowerCase();
    const attributes = [...(m[2] ?? '').matchAll(/\s+([^\s=>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)].map((a) =>
      (a[1] as string).toLowerCase(),
    );
    found.push({ name, attributes });
    if (name === 'script' || name === 'style') {
      const end = html.toLowerCase().indexOf(`</${name}`, re.lastIndex);
      if (name === 'script') scripts.push(html.slice(re.lastIndex, end));
      re.lastIndex = end;
    }
    m = re.exec(html);
  }
  return { tags: found, scripts };
}

const ALLOWED = new Set(
  'html head meta title style body header h1 h2 h3 h4 h5 p span ul ol li dl dt dd code pre nav label input select option output main section table caption thead tbody tr th td details summary div article strong em footer script sub noscript'.split(
    ' ',
  ),
);

describe('HTML report', () => {
  // Rendered per test (not at load time), so mutation testing maps the renderer to the tests.
  let hostile = '';
  beforeEach(() => {
    hostile = renderHtml(loadFixture('hostile'), { now: NOW });
  });

  it('renders hostile evidence as text: no injected element, no event-handler attribute', () => {
    const { tags: all } = tags(hostile);
    const names = new Set(all.map((t) => t.name));
    expect([...names].filter((n) => !ALLOWED.has(n))).to.deep.equal([]);
    expect(names.has('img')).to.equal(false);
    expect(all.flatMap((t) => t.attributes).filter((a) => a.startsWith('on'))).to.deep.equal([]);
    expect(all.filter((t) => t.name === 'script')).to.have.length(3);
    // The strings are there, as text.
    expect(hostile).to.include('&lt;img src=x onerror=alert(1)&gt;');
    expect(hostile).to.include('&quot;--&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(hostile).to.include('ctl:\\x00\\x07\\x1b[31mred');
  });

  it('keeps </script> out of the inline JSON block, which still parses back to the data', () => {
    const { scripts } = tags(hostile);
    const json = scripts[0] as string;
    expect(json).not.to.match(/<\/script/i);
    expect(json).not.to.include('<');
    const data = JSON.parse(json) as { run: { notes: string[]; commandLine: string[] } };
    expect(data.run.notes).to.have.length(2);
    expect(data.run.notes[0]).to.include(HOSTILE[3]).and.include(HOSTILE[4]);
    expect(data.run.notes[1]).to.include(HOSTILE[0]);
    expect(data.run.commandLine).to.include(HOSTILE[1]);
    // the per-target rows: evidence escaped the same way, parsed back intact
    const rows = JSON.parse(scripts[1] as string) as { t: unknown[][][] };
    expect(scripts[1]).not.to.include('<');
    expect(JSON.stringify(rows.t)).to.include(JSON.stringify(HOSTILE[0]).slice(1, -1));
    expect(scripts[2]).to.equal(HTML_SCRIPT);
  });

  it('is self-contained: a CSP forbidding remote loads and no URL to fetch', () => {
    const html = renderHtml(loadFixture('firewalled'), { now: NOW });
    expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).to.include("default-src 'none'");
    expect(html).not.to.match(/\s(src|href|action|srcset)\s*=/i);
    expect(html).not.to.match(/url\(/i);
    expect(html).not.to.match(/@import/i);
  });

  it('header: verdict as text, counts, source, catalog digest, command line; notes once at the end', () => {
    const result = loadFixture('firewalled');
    const html = renderHtml(result, { now: NOW });
    expect(html).to.match(
      /<p class="overall" id="overall"><span class="badge">✘ NON-COMPLIANT<\/span> 6 failing ports on dc2/,
    );
    expect(html).to.include('class="verdict tone-bad"');
    expect(html).to.include('✘ 7 fail');
    expect(html).to.include(result.catalog.digest);
    expect(html).to.include('ws01.corp.example');
    expect(html).to.include('portolan check dc2.corp.example dc3.corp.example --role domain-controller');
    const page = html.slice(0, html.indexOf('<script'));
    expect(page.match(/the endpoint mapper on 135\/tcp listed no endpoints \(open\)/g)).to.have.length(1);
    expect(html).not.to.include('Pre-deployment check');
  });

  it('says a pre-deployment run is one', () => {
    const html = renderHtml(loadFixture('predeploy'), { now: NOW });
    expect(html).to.include('<p class="banner" role="note">Pre-deployment check (--expect reachable)');
  });

  it('uses table semantics: captions and scoped header cells', () => {
    const html = renderHtml(loadFixture('one-dc'), { now: NOW });
    const tables = html.match(/<table/g)?.length ?? 0;
    expect(tables).to.be.greaterThan(5);
    expect(html.match(/<caption>/g)?.length).to.equal(tables);
    expect(html).to.include('<th scope="col">Service</th>');
    expect(html).to.include(
      '<th scope="row">Group Policy <span class="sid">group-policy · domain-controller</span></th>',
    );
  });

  it('leads with the root causes: one card per blocked port, what it breaks, its rows one click away', () => {
    const html = renderHtml(loadFixture('one-dc'), { now: NOW });
    expect(html.indexOf('id="root-causes"')).to.be.lessThan(html.indexOf('id="notices"'));
    expect(html.indexOf('id="notices"')).to.be.lessThan(html.indexOf('id="targets"'));
    const causes = html.slice(html.indexOf('id="root-causes"'), html.indexOf('id="notices"'));
    expect(causes).to.include('Root causes: what to fix (4 on 1 target)');
    expect(causes.match(/<article class="finding sev-outage"/g)).to.have.length(4);
    expect(causes).to.include(
      '<p class="breaks"><strong>Breaks:</strong> Active Directory Domain Services, Net Logon, Remote Procedure Call (RPC), Server, Distributed File System Namespaces, Group Policy; optional here: Distributed File System Replication</p>',
    );
    // optional rows are notices, apart, never outages
    expect(causes).not.to.include('636/udp');
    const notices = html.slice(html.indexOf('id="notices"'), html.indexOf('id="remediation"'));
    expect(notices).to.include(
      '<td class="mono">636/udp</td><td>LDAP SSL</td><td>○ closed (NOT LISTENING)</td><td>optional</td>',
    );
    expect(notices).to.include('required once on: --with ipsec');
  });

  it('remediation: one rule per port a required row needs, per target, real source addresses only', () => {
    const html = renderHtml(loadFixture('one-dc'), { now: NOW });
    const remediation = html.slice(html.indexOf('id="remediation"'), html.indexOf('id="conditions"'));
    expect(remediation).to.include('These rules OPEN ports. Review every line');
    expect(remediation.match(/New-NetFirewallRule/g)).to.have.length(4);
    expect(remediation.match(/-LocalPort 445 /g)).to.have.length(1);
    expect(remediation).to.include(
      'New-NetFirewallRule -DisplayName &#39;portolan: 88/udp Kerberos&#39; -Direction Inbound -Protocol UDP -LocalPort 88 ' +
        '-RemoteAddress &#39;192.0.2.50&#39; -Action Allow',
    );
    expect(remediation).to.include('-Protocol TCP -LocalPort 49152-65535');
    expect(remediation).to.include('nft add rule inet filter input ip saddr 192.0.2.50 tcp dport 3268 accept');
    // optional and not-needed rows are never opened; the prober's link-local address never named
    for (const port of ['-LocalPort 25 ', '-LocalPort 80 ', '-LocalPort 443 ', '-LocalPort 8098 ', '-LocalPort 636 ']) {
      expect(remediation).not.to.include(port);
    }
    expect(remediation).not.to.include('fe80::');
    expect(remediation).to.include(
      'for Active Directory Domain Services, Net Logon, Remote Procedure Call (RPC), Server, Distributed File System Namespaces, Group Policy',
    );
  });

  it('says there is nothing to fix on a healthy run', () => {
    const html = renderHtml(loadFixture('healthy'), { now: NOW });
    expect(html).to.include('Nothing to fix: every required port answered as expected.');
    expect(html).to.include('No required row failed: nothing to open.');
  });

  it('never says a word twice: no badge beside the same status in words, no doubled protocol', () => {
    for (const name of ['one-dc', 'three-targets', 'firewalled']) {
      const html = renderHtml(loadFixture(name), { now: NOW });
      expect(html).not.to.match(/NON-COMPLIANT<\/span> [^<]*non-compliant/i);
      expect(html).not.to.include('(IP protocol 50) (IP protocol 50)');
      expect(html).not.to.match(/untestable\s*[-–]\s*untestable/);
    }
  });

  it('lists every target failing first, its rows embedded once for the script, not as cells', () => {
    const result = loadFixture('three-targets');
    const html = renderHtml(result, { now: NOW });
    const targets = [
      ...html.matchAll(/<details class="target" data-i="(\d)" data-status="([a-z-]+)" data-name="([^"]+)"/g),
    ];
    expect(targets.map((m) => [m[2], m[3]])).to.deep.equal([
      ['non-compliant', 'dc1.corp.example'],
      ['non-compliant', 'dc3.corp.example'],
      ['compliant', 'dc2.corp.example'],
    ]);
    expect(html).not.to.include('<details class="cell');
    const rows = JSON.parse(
      html.slice(
        html.indexOf('id="portolan-rows">') + 19,
        html.indexOf('</script>', html.indexOf('id="portolan-rows"')),
      ),
    ) as {
      e: unknown[];
      t: unknown[][];
    };
    expect(rows.e).to.have.length(result.expectations.length);
    expect(rows.t.map((t) => t.length)).to.deep.equal([0, 2, 1].map(() => result.expectations.length));
  });
});
