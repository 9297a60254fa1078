/**
 * The HTML report in a real browser (Debian chromium driven by playwright-core): opened from
 * file://, offline, it must show the verdict, filter and search without a server, fetch
 * nothing, log no error, run no injected script, and open a 50-target report quickly.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { loadFixture, NOW } from '../report/fixtures.js';
import { largeResult } from '../report/scenarios.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const MAX_BYTES = 2 * 1024 * 1024;
const MAX_OPEN_MS = 1000;

interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

describe('HTML report in a browser', function () {
  this.timeout(60_000);
  let browser: Browser | null = null;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    skipped: ${CHROMIUM} not found (Debian package chromium: apt-get install -y chromium)`);
      this.skip();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  function save(name: string, html: string): string {
    const file = join(ARTIFACTS, name);
    writeFileSync(file, html);
    return file;
  }

  async function open(file: string): Promise<Watched> {
    if (!browser) throw new Error('browser not started');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const watched: Watched = { page, requests: [], errors: [], dialogs: [] };
    page.on('request', (r) => watched.requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') watched.errors.push(m.text());
    });
    page.on('pageerror', (e) => watched.errors.push(e.message));
    page.on('dialog', (d) => {
      watched.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    return watched;
  }

  // These callbacks run in the page (no closures); offsetParent is null for hidden elements.
  // The casts are because the tests compile without the DOM lib.
  const visible = (page: Page, selector: string) =>
    page.$$eval(
      selector,
      (els) => els.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null).length,
    );

  it('shows the verdict, filters to failures, searches a port, fetches nothing and logs no error', async () => {
    const file = save('html-report.html', renderHtml(loadFixture('firewalled'), { now: NOW }));
    const { page, requests, errors } = await open(file);

    expect(await page.textContent('#overall')).to.include('✘ NON-COMPLIANT');
    expect(await visible(page, 'details.cell')).to.equal(40);
    expect(await page.textContent('#f-count')).to.equal('40 ports shown');

    await page.check('#f-fail');
    expect(await visible(page, 'details.cell')).to.equal(7);
    expect(await visible(page, 'details.cell[data-status="pass"]')).to.equal(0);
    expect(await visible(page, 'section.target[data-target="dc2.corp.example"] tr.svc[data-service="dns"]')).to.equal(
      0,
    );
    expect(await visible(page, 'section.target[data-target="dc3.corp.example"]')).to.equal(0);
    await page.uncheck('#f-fail');

    await page.fill('#f-search', '3268');
    const shown = await page.$$eval('details.cell', (els) =>
      els
        .filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null)
        .map((e) => e.querySelector('summary')?.textContent),
    );
    expect(shown).to.have.length(2);
    for (const s of shown) expect(s).to.include('3268/tcp');
    await page.fill('#f-search', 'no-such-port-anywhere');
    expect(await visible(page, '#f-none')).to.equal(1);
    await page.fill('#f-search', '');

    // a failing cell opens to its details
    await page.click('section.target[data-target="dc2.corp.example"] details.v-fail >> nth=0');
    expect(await page.textContent('details.v-fail[open] .detail')).to.include('icmp-admin-prohibited');
    await page.screenshot({ path: join(ARTIFACTS, 'html-report.png') });

    expect(requests).to.deep.equal([pathToFileURL(file).href]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('runs none of the hostile evidence', async () => {
    const { page, requests, errors, dialogs } = await open(
      save('hostile.html', renderHtml(loadFixture('hostile'), { now: NOW })),
    );
    expect(await page.$$eval('img', (els) => els.length)).to.equal(0);
    expect(await page.$$eval('script', (els) => els.length)).to.equal(2);
    await page.fill('#f-search', 'onerror');
    expect(await visible(page, 'details.cell')).to.equal(1);
    expect(dialogs).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    expect(requests).to.have.length(1);
    await page.close();
  });

  it('opens a 50-target domain-controller report in under a second and stays under 2 MB', async () => {
    const html = renderHtml(largeResult(50), { now: NOW });
    const file = save('html-report-50.html', html);
    const bytes = statSync(file).size;
    const { page, errors } = await open(file);
    // Navigation timing, start of the load to the end of DOMContentLoaded; the best of three
    // loads, so a busy CI machine's scheduling noise does not decide the verdict.
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await page.reload();
      timings.push(
        (await page.evaluate(
          "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.domContentLoadedEventEnd - n.startTime; })()",
        )) as number,
      );
    }
    const ms = Math.min(...timings);
    console.log(
      `    50 targets x domain-controller: ${(bytes / 1024).toFixed(0)} KiB, DOMContentLoaded ${ms.toFixed(0)} ms (loads: ${timings.map((t) => t.toFixed(0)).join(', ')} ms)`,
    );
    expect(bytes).to.be.lessThan(MAX_BYTES);
    expect(ms).to.be.lessThan(MAX_OPEN_MS);
    expect(await visible(page, 'section.target')).to.equal(50);
    await page.check('#f-fail');
    expect(await page.textContent('#f-count')).to.equal('14 ports shown');
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
