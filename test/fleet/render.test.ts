/**
 * The fleet view as HTML (the matrix with a drill-down per failing cell) and as JUnit (one
 * suite per source, valid against the Ant/Jenkins junit-10 schema), hostile names escaped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { mergeFleet } from '../../src/fleet/merge.js';
import { renderFleet } from '../../src/fleet/render.js';
import { JUNIT_XSD } from '../report/fixtures.js';
import { HOSTILE } from '../report/scenarios.js';
import { fleetResult, fleetResults } from './fleet-results.js';

const XMLLINT = spawnSync('xmllint', ['--version']).error ? null : 'xmllint';

function view(withHostile = false) {
  const results = fleetResults();
  if (withHostile) {
    results.push(
      fleetResult(`evil${HOSTILE[1]}`, { [HOSTILE[0] as string]: HOSTILE[5] as string }, [
        {
          name: `dc1.corp.example${HOSTILE[3]}`,
          addresses: ['192.0.2.10'],
          outcomes: { 'kdc/tcp/88': { state: 'filtered', reason: 'timeout', evidence: [HOSTILE[2] as string] } },
        },
      ]),
    );
  }
  return mergeFleet(results.map((result, i) => ({ result, origin: `r${i}${i === 3 ? HOSTILE[4] : ''}.json` })));
}

describe('fleet: HTML and JUnit', () => {
  it("HTML: the matrix with sources as rows, a drill-down to each failing cell's ports, and the fleet causes", () => {
    const html = renderFleet(view(), 'html');
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.include('<meta http-equiv="Content-Security-Policy"');
    expect(html).to.include(
      '<tr><th scope="row">branch-12</th><td>site=branch-12</td><td class="t-bad"><details><summary>NON-COMPLIANT 88/tcp 88/udp</summary>',
    );
    expect(html).to.include(
      '<li><span class="mono">88/tcp</span> filtered: outage; breaks Kerberos Key Distribution Center</li>',
    );
    expect(html).to.include('<td class="t-good">compliant</td>');
    expect(html).to.include('look at the target itself: 389/tcp to dc2.corp.example is filtered from 3 of 3 sources');
    expect(html).not.to.include('<script');
  });

  it('HTML escapes every name from the results', () => {
    const html = renderFleet(view(true), 'html');
    expect(html).not.to.include('<script');
    expect(html).not.to.include('<img');
    expect(html).not.to.include('\u001b');
    expect(html).to.include('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('JUnit: one suite per source, a failure per non-compliant target naming its ports and where to look', () => {
    const xml = renderFleet(view(), 'junit');
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)"[^>]* tests="(\d+)" failures="(\d+)"/g)].map((m) =>
      m.slice(1),
    );
    expect(suites).to.deep.equal([
      ['branch-12', '2', '2'],
      ['hq', '2', '1'],
      ['vlan-20', '2', '1'],
    ]);
    expect(xml).to.include('<property name="label.site" value="branch-12"/>');
    expect(xml).to.include('<testcase classname="hq" name="dc1.corp.example" time="0"/>');
    expect(xml).to.include(
      '<failure message="non-compliant: 88/tcp 88/udp" type="non-compliant">88/tcp to dc1.corp.example: filtered',
    );
    expect(xml).to.include('The path from site=branch-12 (branch-12) blocks it');
  });

  describe('JUnit validates against the Ant/Jenkins junit-10 schema (xmllint)', () => {
    before(function () {
      if (!XMLLINT) {
        console.log('    skipped: xmllint not found (Debian package libxml2-utils)');
        this.skip();
      }
    });
    for (const hostile of [false, true]) {
      it(hostile ? 'with hostile names' : 'the three-source fleet', () => {
        const dir = mkdtempSync(join(tmpdir(), 'portolan-fleet-junit-'));
        try {
          const file = join(dir, 'fleet.xml');
          writeFileSync(file, renderFleet(view(hostile), 'junit'));
          const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], {
            encoding: 'utf8',
            timeout: 20_000,
          });
          expect(r.status, r.stderr).to.equal(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
});
