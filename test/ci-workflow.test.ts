/**
 * The GitHub Actions workflow cannot run here, so this reads it: the matrix covers Linux,
 * Windows and macOS with Node 20 and 22, each leg installs, type-checks, lints and tests, the
 * namespace and lab suites run on Linux only, and every npm script it names exists.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
}
interface Job {
  'runs-on': string;
  strategy?: { matrix?: { os?: string[]; node?: number[] } };
  steps: Step[];
}

const root = new URL('../', import.meta.url);
const workflow = parse(readFileSync(new URL('.github/workflows/ci.yml', root), 'utf8')) as {
  jobs: Record<string, Job>;
};
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** npm commands in a `run:` line: "npm ci", "npm test", "npm run lint". */
function npmCommands(run: string): string[] {
  return [...run.matchAll(/\bnpm\s+(run(?:-script)?\s+[\w:.-]+|[\w-]+)/g)].map((m) => (m[1] as string).trim());
}

const steps = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => ({ job, step })));

describe('the CI workflow (.github/workflows/ci.yml)', () => {
  it('runs on Linux, Windows and macOS with Node 20 and 22', () => {
    const matrix = workflow.jobs.test?.strategy?.matrix;
    expect(workflow.jobs.test?.['runs-on']).to.match(/^\$\{\{ matrix\.os \}\}$/);
    expect(matrix?.os).to.have.members(['ubuntu-latest', 'windows-latest', 'macos-latest']);
    expect(matrix?.node).to.have.members([20, 22]);
  });

  it('every leg installs with npm ci, type-checks, lints and runs npm test', () => {
    const commands = (workflow.jobs.test?.steps ?? []).flatMap((s) => (s.run ? npmCommands(s.run) : []));
    expect(commands).to.include.members(['ci', 'run typecheck', 'run lint', 'test']);
    // One npm test step per OS family, and together they cover every leg.
    const tests = (workflow.jobs.test?.steps ?? []).filter((s) => s.run && npmCommands(s.run).includes('test'));
    expect(tests.map((s) => s.if)).to.have.members(["runner.os == 'Linux'", "runner.os != 'Linux'"]);
  });

  it('every npm script it names exists in package.json', () => {
    const used = steps.flatMap(({ step }) => (step.run ? npmCommands(step.run) : []));
    expect(used.length).to.be.greaterThan(4);
    for (const command of used) {
      const [verb, name] = command.split(/\s+/);
      if (verb === 'ci' || verb === 'install') continue;
      const script = verb === 'run' || verb === 'run-script' ? name : verb === 't' ? 'test' : verb;
      expect(scripts, `npm ${command}`).to.have.property(script as string);
    }
  });

  it('the lab and the root (namespace) test run only on Linux', () => {
    for (const { job, step } of steps) {
      const run = step.run ?? '';
      if (!/test:lab|sudo/.test(run)) continue;
      const linuxOnly = job['runs-on'] === 'ubuntu-latest' || step.if === "runner.os == 'Linux'";
      expect(linuxOnly, `step "${step.name ?? run}"`).to.equal(true);
    }
    expect(steps.some(({ step }) => step.run?.includes('npm run test:lab'))).to.equal(true);
  });

  it('runs package.json scripts that a Windows shell (cmd.exe) can run: no single quotes, no VAR=value', () => {
    for (const name of ['test', 'typecheck', 'lint']) {
      expect(scripts[name], name).to.not.match(/'|^\w+=\S/);
    }
  });
});
