/**
 * Runs last (mocha sorts the lab files): stopping the lab ends every process it started and
 * deletes every namespace, and the leftover sweep that starts each run cleans a crashed run.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { isAlive, listLabNamespaces, namespacePids, removeLabNamespaces } from './netns.js';
import { run } from './run.js';
import { currentLab, stopLab } from './session.js';
import { PREFIX } from './topology.js';

describe('network lab teardown', () => {
  it('ends every server by PID and deletes every namespace', async () => {
    const pids = readFileSync(join(currentLab().runDir, 'pids'), 'utf8')
      .split('\n')
      .map((line) => Number(line.split(' ')[0]))
      .filter((pid) => pid > 0);
    expect(pids.length).to.be.greaterThan(5);
    const { stopMs, leftovers } = await stopLab();
    console.log(`    teardown took ${stopMs} ms`);
    expect(leftovers).to.deep.equal([]);
    expect(pids.filter(isAlive)).to.deep.equal([]);
  });

  it('removes what a crashed run left: its namespaces and the processes inside them', async () => {
    const ns = `${PREFIX}crashed`;
    await run('ip', ['netns', 'add', ns]);
    await run('sh', ['-c', `ip netns exec ${ns} sleep 300 >/dev/null 2>&1 &`]);
    // The backgrounded `ip netns exec` needs a moment to enter the namespace (bounded wait).
    let pids: number[] = [];
    for (let i = 0; i < 40 && pids.length === 0; i++) {
      pids = await namespacePids(ns);
      if (pids.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pids.length).to.equal(1);
    await removeLabNamespaces();
    expect(await listLabNamespaces()).to.deep.equal([]);
    expect(isAlive(pids[0] ?? 0)).to.equal(false);
  });
});
