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
  'html head meta title style body header h1 h2 h3 h4 p span ul ol li dl dt dd code pre nav label input select option output main section table caption thead tbody tr th td details summary div article strong em footer script sub'.split(
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
    expect(all.filter((t) => t.name === 'script')).to.have.length(2);
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
    expect(scripts[1]).to.equal(HTML_SCRIPT);
  });

  it('is self-contained: a CSP forbidding remote loads and no URL to fetch', () => {
    const html = renderHtml(loadFixture('firewalled'), { now: NOW });
    expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).to.include("default-src 'none'");
    expect(html).not.to.match(/\s(src|href|action|srcset)\s*=/i);
    expect(html).not.to.match(/url\(/i);
    expect(html).not.to.match(/@import/i);
  });

  it('header: verdict as text, counts, source, catalog digest, command line, roles and targets', () => {
    const result = loadFixture('firewalled');
    const html = renderHtml(result, { now: NOW });
    expect(html).to.match(/<p class="overall" id="overall"><span class="badge">✘ NON-COMPLIANT<\/span>/);
    expect(html).to.include('class="verdict tone-bad"');
    expect(html).to.include('✘ 7 fail');
    expect(html).to.include(result.catalog.digest);
    expect(html).to.include('ws01.corp.example');
    expect(html).to.include('portolan check dc2.corp.example dc3.corp.example --role domain-controller');
    expect(html).to.include('the endpoint mapper on 135/tcp listed no endpoints (open)');
    expect(html).not.to.include('Pre-deployment check');
  });

  it('says a pre-deployment run is one', () => {
    const html = renderHtml(loadFixture('predeploy'), { now: NOW });
    expect(html).to.include('<p class="banner" role="note">Pre-deployment check (--expect reachable)');
  });

  it('uses table semantics: captions and scoped header cells', () => {
    const html = renderHtml(loadFixture('firewalled'), { now: NOW });
    const tables = html.match(/<table/g)?.length ?? 0;
    expect(html.match(/<caption>/g)?.length).to.equal(tables);
    expect(html).to.include('<th scope="col">Service</th>');
    expect(html).to.include('<th scope="row">Kerberos Key Distribution Center');
  });

  it('lists blocked services required first, with remediation rules for every failed row', () => {
    const html = renderHtml(loadFixture('firewalled'), { now: NOW });
    const blocked = html.slice(html.indexOf('id="blocked"'), html.indexOf('id="remediation"'));
    expect(blocked.indexOf('Net Logon')).to.be.lessThan(blocked.indexOf('Simple Mail Transfer Protocol'));
    const remediation = html.slice(html.indexOf('id="remediation"'), html.indexOf('id="legend"'));
    expect(remediation).to.include('These rules OPEN ports. Review every line');
    expect(remediation).to.include(
      'New-NetFirewallRule -DisplayName &#39;portolan: kdc 88/udp&#39; -Direction Inbound -Protocol UDP -LocalPort 88 ' +
        '-RemoteAddress &#39;192.0.2.50&#39; -Action Allow',
    );
    expect(remediation).to.include('-Protocol TCP -LocalPort 49152-65535');
    expect(remediation.match(/New-NetFirewallRule/g)).to.have.length(7);
    expect(remediation).to.include('allow 192.0.2.50 -&gt; dc2.corp.example tcp/3268');
    // waived and passing rows are not opened
    expect(remediation).not.to.include('139/tcp');
  });

  it('says nothing is blocked on a healthy run', () => {
    const html = renderHtml(loadFixture('healthy'), { now: NOW });
    expect(html).to.include('Nothing is blocked.');
    expect(html).to.include('No failed rows: nothing to open.');
  });

  it('every port cell carries its details: state with PortQry word, reason, RTT, attempts, evidence, footnote', () => {
    const html = renderHtml(loadFixture('firewalled'), { now: NOW });
    expect(html).to.include('<dt>State</dt><dd>■ filtered (FILTERED)</dd>');
    expect(html).to.include('<dt>Reason</dt><dd>icmp-admin-prohibited</dd>');
    expect(html).to.include('<dt>Attempts</dt><dd>3</dd>');
    expect(html).to.include('<dt>KB footnote</dt>');
    expect(html).to.include('Kerberos KDC answered: KDC_ERR_C_PRINCIPAL_UNKNOWN (6)');
  });
});
