/**
 * The HTML report in a real browser (Debian chromium driven by playwright-core): opened from
 * file://, offline, it must lead with the root causes, render a target's rows when it is
 * opened, filter and search without a server, fetch nothing, log no error, run no injected
 * script, print the root causes and failures only, fit a 420 px phone, and open a 300-DC
 * report (real catalog, every seventh DC firewalled) in under 2 s at under 5 MB.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { type Browser, chromium, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { largeCatalogResult } from '../report/catalog-scenarios.js';
import { loadFixture, NOW } from '../report/fixtures.js';
import { largeRunView, largeTargetName } from '../report/large-run.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const MAX_BYTES = 5 * 1024 * 1024;
const MAX_INTERACTIVE_MS = 2000;

interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

describe('HTML report in a browser', function () {
  this.timeout(120_000);
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

  async function open(file: string, width = 1280): Promise<Watched> {
    if (!browser) throw new Error('browser not started');
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
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

  it('leads with the root causes, renders a target\u2019s rows on demand, searches, fetches nothing', async () => {
    const file = save('html-report.html', renderHtml(loadFixture('three-targets'), { now: NOW }));
    const { page, requests, errors } = await open(file);

    expect(await page.textContent('#overall')).to.include('✘ NON-COMPLIANT');
    expect(await visible(page, '#root-causes article.finding')).to.equal(5);
    expect(await page.textContent('#f-count')).to.equal('3 of 3 targets shown');
    // nothing of a target's rows exists until it is opened
    expect(await page.$$eval('details.target tr', (els) => els.length)).to.equal(0);
    await page.click('details.target[data-name="dc2.corp.example"] > summary');
    // the toggle event comes a task after the click: wait for the rows it renders
    await page.waitForSelector('details.target[data-name="dc2.corp.example"] .rows table');
    const rows = await page.$$eval('details.target[data-name="dc2.corp.example"] tbody tr:not(.svc)', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(rows.some((r) => r.includes('445/tcp') && r.includes('● open') && r.includes('✔ pass'))).to.equal(true);
    expect(rows.some((r) => r.includes('evidence: LDAP rootDSE: dnsHostName=dc2.corp.example'))).to.equal(true);

    await page.check('#f-fail');
    expect(await page.textContent('#f-count')).to.equal('2 of 3 targets shown');
    await page.uncheck('#f-fail');
    await page.fill('#f-search', 'ntp v3 server');
    expect(await page.textContent('#f-count')).to.equal('2 of 3 targets shown');
    await page.fill('#f-search', 'no-such-thing-anywhere');
    expect(await visible(page, '#f-none')).to.equal(1);
    await page.fill('#f-search', '');

    await page.click('#root-causes article.finding >> nth=1 >> details.more > summary');
    expect(await page.textContent('#root-causes article.finding >> nth=1')).to.include('Group Policy');
    await page.screenshot({ path: join(ARTIFACTS, 'html-report.png') });

    expect(requests).to.deep.equal([pathToFileURL(file).href]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('runs none of the hostile evidence, even in rows rendered on demand', async () => {
    const { page, requests, errors, dialogs } = await open(
      save('hostile.html', renderHtml(loadFixture('hostile'), { now: NOW })),
    );
    await page.click('details.target > summary');
    await page.waitForSelector('details.target .rows table');
    expect(await page.textContent('details.target')).to.include('<img src=x onerror=alert(1)>');
    expect(await page.$$eval('img', (els) => els.length)).to.equal(0);
    expect(await page.$$eval('script', (els) => els.length)).to.equal(3);
    await page.fill('#f-search', 'onerror');
    expect(await visible(page, 'details.target')).to.equal(1);
    expect(dialogs).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    expect(requests).to.have.length(1);
    await page.close();
  });

  it('prints the root causes and the failing targets, not every row', async () => {
    const { page } = await open(save('print.html', renderHtml(loadFixture('three-targets'), { now: NOW })));
    await page.click('details.target[data-name="dc2.corp.example"] > summary');
    await page.waitForSelector('details.target[data-name="dc2.corp.example"] .rows table');
    await page.emulateMedia({ media: 'print' });
    expect(await visible(page, '#root-causes article.finding')).to.equal(5);
    expect(await visible(page, 'details.target')).to.equal(2);
    expect(await visible(page, 'details.target tr')).to.equal(0);
    expect(await visible(page, '#filters')).to.equal(0);
    expect(await visible(page, 'details.more > summary')).to.equal(0);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    console.log(`    three DCs print on ${pages} A4 page(s)`);
    expect(pages).to.be.within(1, 6);
    await page.close();
  });

  it('fits a 420 px wide screen: nothing wider than the viewport, opened or not', async () => {
    const { page, errors } = await open(save('narrow.html', renderHtml(loadFixture('one-dc'), { now: NOW })), 420);
    const width = () => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
    expect(await width()).to.be.at.most(420);
    await page.click('details.target > summary');
    await page.waitForSelector('details.target .rows table');
    await page.click('#root-causes article.finding >> nth=1 >> details.more > summary');
    expect(await width()).to.be.at.most(420);
    await page.screenshot({ path: join(ARTIFACTS, 'html-report-420.png'), fullPage: false });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('opens a 300-DC report in under 2 s and stays under 5 MB', async () => {
    const result = largeCatalogResult(300);
    const html = renderHtml(result, { now: NOW });
    const file = save('html-report-300.html', html);
    const bytes = statSync(file).size;
    const { page, errors } = await open(file);
    // Start of the load to the end of DOMContentLoaded (the inline script has parsed the data and
    // wired the filters by then); the best of three loads, so a busy machine's noise does not decide.
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
    const opened = (await page.evaluate(`(() => {
      const d = document.querySelector('details.target[data-status="compliant"]');
      const t = performance.now(); d.open = true; d.dispatchEvent(new Event('toggle'));
      return performance.now() - t; })()`)) as number;
    console.log(
      `    300 DCs (real catalog): ${(bytes / 1024 / 1024).toFixed(2)} MB, interactive in ${ms.toFixed(0)} ms ` +
        `(loads: ${timings.map((t) => t.toFixed(0)).join(', ')} ms); a passing target's rows in ${opened.toFixed(0)} ms`,
    );
    expect(bytes).to.be.lessThan(MAX_BYTES);
    expect(ms).to.be.lessThan(MAX_INTERACTIVE_MS);
    expect(await visible(page, 'details.target')).to.equal(300);
    expect(
      await page.$$eval('details.target', (els) => els.slice(0, 42).map((e) => e.getAttribute('data-status'))),
    ).to.deep.equal(Array(42).fill('non-compliant'));
    await page.check('#f-fail');
    expect(await page.textContent('#f-count')).to.equal('42 of 300 targets shown');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('opens a 10,000-DC report (a large run\u2019s view): root causes and failing targets first, compliant ones collapsed', async () => {
    const { result, omitted } = largeRunView(10_000);
    const file = save('html-report-10000.html', renderHtml(result, { now: NOW, omitted }));
    const bytes = statSync(file).size;
    const { page, errors, requests } = await open(file);
    // Measured and reported, not asserted: the machine is shared, the number is for the README.
    const ms = (await page.evaluate(
      "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.domContentLoadedEventEnd - n.startTime; })()",
    )) as number;
    console.log(
      `    10,000 DCs (1,428 failing): ${(bytes / 1024 / 1024).toFixed(2)} MB, interactive in ${ms.toFixed(0)} ms`,
    );
    expect(await visible(page, '#root-causes article')).to.be.above(0);
    expect(await visible(page, 'details.target')).to.equal(1428);
    expect(
      await page.$$eval('details.target', (els) => els.slice(0, 3).map((e) => e.getAttribute('data-status'))),
    ).to.deep.equal(Array(3).fill('non-compliant'));
    // The compliant targets: one closed list whose names are not laid out until it is opened.
    expect(await page.getAttribute('#compliant-targets', 'open')).to.equal(null);
    // (A closed <details> hides its content with content-visibility, which offsetParent does not see.)
    const shown = () =>
      page.$$eval(
        '#compliant-targets li',
        (els) => els.filter((e) => (e as unknown as { checkVisibility(): boolean }).checkVisibility()).length,
      );
    expect(await shown()).to.equal(0);
    await page.click('#compliant-targets > summary');
    expect(await shown()).to.equal(8572);
    // A failing target's kept rows render on demand like any other.
    await page.click('details.target[data-i="0"] > summary');
    expect(await visible(page, 'details.target[data-i="0"] tr.v-fail')).to.be.above(0);
    await page.fill('#f-search', largeTargetName(706));
    expect(await page.textContent('#f-count')).to.equal('1 of 1428 targets shown');
    expect(requests.filter((u) => !u.startsWith('file:'))).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('opens a one-DC report at once', async () => {
    const html = renderHtml(loadFixture('one-dc'), { now: NOW });
    const file = save('html-report-1.html', html);
    const { page } = await open(file);
    const ms = (await page.evaluate(
      "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.domContentLoadedEventEnd - n.startTime; })()",
    )) as number;
    console.log(`    one DC: ${(statSync(file).size / 1024).toFixed(0)} KiB, interactive in ${ms.toFixed(0)} ms`);
    expect(ms).to.be.lessThan(MAX_INTERACTIVE_MS);
    await page.close();
  });
});
