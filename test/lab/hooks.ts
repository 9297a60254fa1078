/**
 * Mocha root hooks of the lab suite (`.mocharc.lab.json` requires this file). Without root,
 * `ip netns` or the lab's Debian packages, the run stops at once with the reason and a
 * non-zero exit: a lab run that cannot build its lab must not look green.
 */
import { LabUnavailable, labPreflight, startLab } from './lab.js';
import { setLab, stopLab } from './session.js';

export function mochaGlobalSetup(): void {
  const why = labPreflight();
  if (why === null) return;
  process.stderr.write(`portolan network lab cannot run: ${why}\n`);
  process.exit(1);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    try {
      const lab = await startLab();
      setLab(lab);
      const t = lab.timings;
      console.log(
        `  lab up in ${t.totalMs} ms (cleanup ${t.cleanupMs}, network ${t.networkMs}, ` +
          `provision+start ${t.startMs}, ready ${t.readyMs}); logs in ${lab.runDir}`,
      );
    } catch (error) {
      if (error instanceof LabUnavailable) process.stderr.write(`portolan network lab cannot run: ${error.message}\n`);
      throw error;
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const { stopMs, leftovers } = await stopLab();
    console.log(`  lab stopped in ${stopMs} ms`);
    if (leftovers.length > 0) throw new Error(`lab namespaces left after stop: ${leftovers.join(', ')}`);
  },
};
