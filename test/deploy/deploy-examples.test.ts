/**
 * The deploy examples (checks/deploy/) are real: every YAML file parses, the Kubernetes
 * manifests validate against the Kubernetes API schemas (kubernetes-models), the Dockerfile
 * builds from files that exist and runs as a non-root user, the systemd units pass
 * `systemd-analyze verify`, and every portolan command line in any of them passes the real
 * CLI's `--dry-run` (arguments, plan, targets checked; nothing sent). docker and kubectl are
 * not used: no image is built and no cluster is asked here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { DockerfileParser } from 'dockerfile-ast';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parse, parseAllDocuments } from 'yaml';
import { loadPlan } from '../../src/plan/load.js';
import { runCli } from '../support/cli.js';
import {
  actionsExpressions,
  type CommandLine,
  DEPLOY_DIR,
  FLEET_PLAN,
  jinja,
  shellCommands,
  withRepoPlan,
} from './command-lines.js';

const REPO = join(DEPLOY_DIR, '../..');

function read(file: string): string {
  return readFileSync(join(DEPLOY_DIR, file), 'utf8');
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(DEPLOY_DIR, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(DEPLOY_DIR, join(e.parentPath, e.name)));
}

type Manifest = { kind: string; spec: Record<string, unknown> };
type Container = { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string }[] };

function podSpec(m: Manifest): { containers: Container[] } {
  const spec = m.spec as {
    template?: { spec: { containers: Container[] } };
    jobTemplate?: { spec: { template: { spec: { containers: Container[] } } } };
  };
  const pod = spec.jobTemplate?.spec.template.spec ?? spec.template?.spec;
  if (!pod) throw new Error(`${m.kind}: no pod template`);
  return pod;
}

/** Each portolan container's command line, once per value of `$(JOB_COMPLETION_INDEX)` in an Indexed Job. */
function kubernetesCommands(file: string, m: Manifest): CommandLine[] {
  const out: CommandLine[] = [];
  const indexed = m.kind === 'Job' && m.spec.completionMode === 'Indexed';
  const indexes = indexed ? Array.from({ length: Number(m.spec.completions) }, (_, i) => String(i)) : [''];
  for (const c of podSpec(m).containers.filter((x) => x.image.includes('portolan'))) {
    const argv = [...(c.command ?? ['portolan']), ...(c.args ?? [])];
    const defined = new Set([...(c.env ?? []).map((e) => e.name), ...(indexed ? ['JOB_COMPLETION_INDEX'] : [])]);
    for (const ref of argv.join(' ').matchAll(/\$\((\w+)\)/g)) {
      expect(defined.has(ref[1] as string), `${file}: $(${ref[1]}) is not in the container's env`).to.equal(true);
    }
    for (const index of indexes) {
      const vars: Record<string, string> = { JOB_COMPLETION_INDEX: index, NODE_NAME: 'node-1.cluster.example' };
      const args = argv.map((a) => a.replace(/\$\((\w+)\)/g, (_, n: string) => vars[n] ?? `$(${n})`));
      expect(args[0], `${file}: the image's entrypoint is portolan`).to.equal('portolan');
      out.push({ where: `${file} (${m.kind}${index ? ` index ${index}` : ''})`, args: args.slice(1) });
    }
  }
  return out;
}

function githubCommands(file: string): CommandLine[] {
  const workflow = parse(read(file)) as {
    jobs: Record<string, { strategy?: { matrix?: Record<string, string[]> }; steps: { run?: string }[] }>;
  };
  const out: CommandLine[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const segments = job.strategy?.matrix?.segment ?? [''];
    for (const segment of segments) {
      for (const step of job.steps) {
        if (step.run)
          out.push(...shellCommands(actionsExpressions(step.run, { segment }), {}, `${file} job ${name} ${segment}`));
      }
    }
  }
  return out;
}

function gitlabCommands(file: string): CommandLine[] {
  const pipeline = parse(read(file)) as Record<
    string,
    { script?: string[]; parallel?: { matrix: Record<string, string[]>[] } }
  >;
  const out: CommandLine[] = [];
  for (const [name, job] of Object.entries(pipeline)) {
    if (!job || typeof job !== 'object' || !('script' in job)) continue;
    const variants = job.parallel?.matrix.flatMap((m) => (m.SEGMENT ?? []).map((s) => ({ SEGMENT: s }))) ?? [{}];
    for (const env of variants) {
      for (const line of job.script ?? []) out.push(...shellCommands(line, env, `${file} job ${name}`));
    }
  }
  return out;
}

const ANSIBLE_VARS = {
  ...(parse(read('ansible/roles/portolan/defaults/main.yml')) as Record<string, string>),
  inventory_hostname: 'ws01.corp.example',
  playbook_dir: '/srv/ansible',
};

/** Every task under `tasks` (blocks included) that runs portolan: argv lists and shell commands. */
function ansibleCommands(file: string, tasks: Record<string, unknown>[]): CommandLine[] {
  const out: CommandLine[] = [];
  for (const task of tasks) {
    if (Array.isArray(task.block)) out.push(...ansibleCommands(file, task.block));
    for (const module of ['ansible.builtin.command', 'ansible.windows.win_command']) {
      const argv = (task[module] as { argv?: string[] } | undefined)?.argv;
      if (argv?.[0] === 'portolan')
        out.push({ where: `${file}: ${task.name}`, args: argv.slice(1).map((a) => jinja(a, ANSIBLE_VARS)) });
    }
    const shell = (task['ansible.builtin.shell'] as { cmd?: string } | undefined)?.cmd;
    if (shell) out.push(...shellCommands(jinja(shell, ANSIBLE_VARS), {}, `${file}: ${task.name}`));
  }
  return out;
}

function systemdCommands(file: string): CommandLine[] {
  const exec = /^ExecStart=(.*)$/m.exec(read(file))?.[1] ?? '';
  return shellCommands(exec.replace(/%H/g, 'ws01'), {}, file);
}

function powershellCommands(file: string): CommandLine[] {
  const text = /^\$PortolanArguments = '([^']*)'$/m.exec(read(file))?.[1];
  return text ? [{ where: file, args: text.split(/\s+/) }] : [];
}

/** Every command line of every example, by file. */
function allCommands(): Map<string, CommandLine[]> {
  const byFile = new Map<string, CommandLine[]>();
  for (const file of filesUnder('kubernetes')) {
    byFile.set(
      file,
      parseAllDocuments(read(file)).flatMap((d) => kubernetesCommands(file, d.toJS() as Manifest)),
    );
  }
  byFile.set('github/fleet.yml', githubCommands('github/fleet.yml'));
  byFile.set('gitlab/.gitlab-ci.yml', gitlabCommands('gitlab/.gitlab-ci.yml'));
  for (const file of ['ansible/playbook.yml', 'ansible/roles/portolan/tasks/main.yml']) {
    const doc = parse(read(file)) as Record<string, unknown>[];
    const tasks = doc.flatMap((entry) => (Array.isArray(entry.tasks) ? entry.tasks : [entry]));
    byFile.set(file, ansibleCommands(file, tasks));
  }
  byFile.set('systemd/portolan-agent.service', systemdCommands('systemd/portolan-agent.service'));
  byFile.set('windows/register-task.ps1', powershellCommands('windows/register-task.ps1'));
  return byFile;
}

describe('deploy examples (checks/deploy/)', function () {
  this.timeout(120_000);

  it('every YAML file parses without errors or warnings', async () => {
    const yamlFiles = filesUnder('.').filter((f) => /\.ya?ml$/.test(f));
    expect(yamlFiles.length).to.be.at.least(9);
    for (const file of yamlFiles) {
      for (const doc of parseAllDocuments(read(file))) {
        expect(doc.errors.map(String), file).to.deep.equal([]);
        expect(doc.warnings.map(String), file).to.deep.equal([]);
      }
    }
    expect((await loadPlan(FLEET_PLAN)).name).to.equal('fleet-dcs');
  });

  it('the Kubernetes manifests validate against the API schemas: CronJob, DaemonSet, Indexed Job', () => {
    const kinds: string[] = [];
    const models = { CronJob, DaemonSet, Job } as const;
    for (const file of filesUnder('kubernetes')) {
      for (const doc of parseAllDocuments(read(file))) {
        const m = doc.toJS() as Manifest & { apiVersion: string };
        const Model = models[m.kind as keyof typeof models];
        expect(Model, `${file}: kind ${m.kind}`).to.not.equal(undefined);
        expect(() => new Model(m as never).validate(), file).to.not.throw();
        kinds.push(m.kind === 'Job' ? `${m.spec.completionMode} Job` : m.kind);
      }
    }
    expect(kinds.sort()).to.deep.equal(['CronJob', 'DaemonSet', 'Indexed Job']);
  });

  it('every portolan command line passes the real CLI with --dry-run', async () => {
    const byFile = allCommands();
    for (const [file, commands] of byFile)
      expect(commands.length, `${file}: no portolan command found`).to.be.at.least(1);
    const commands = [...byFile.values()].flat();
    for (const { where, args } of commands) {
      const run = await runCli([...withRepoPlan(args), '--dry-run']);
      expect(run.code, `${where}: portolan ${args.join(' ')}\n${run.stderr}`).to.equal(0);
      expect(run.stdout, where).to.match(/^Dry run: /);
    }
    expect(commands.length).to.be.at.least(15);
  });

  it("the Indexed Job's shards cover every target of the plan exactly once", async () => {
    const job = parse(read('kubernetes/indexed-job.yaml')) as Manifest;
    const shards = kubernetesCommands('kubernetes/indexed-job.yaml', job);
    expect(shards.map((s) => s.args[s.args.indexOf('--shard') + 1])).to.deep.equal(['0/4', '1/4', '2/4', '3/4']);
    const probed: string[] = [];
    for (const { args } of shards) {
      const run = await runCli([...withRepoPlan(args), '--dry-run']);
      for (const m of run.stdout.matchAll(/Targets: \d+ \(shard [^)]*\): (.*)$/gm))
        probed.push(...(m[1] as string).split(', '));
    }
    expect(probed.sort()).to.deep.equal(['dc1.corp.example', 'dc2.corp.example', 'fs1.corp.example']);
  });

  it('the Dockerfile: multi-stage, files that exist, ping and dig, a non-root user, portolan as entrypoint', () => {
    const dockerfile = DockerfileParser.parse(read('Dockerfile'));
    const froms = dockerfile.getFROMs();
    expect(froms.length).to.be.at.least(2);
    const finalStage = dockerfile
      .getInstructions()
      .filter((i) => i.getRange().start.line > (froms.at(-1)?.getRange().start.line ?? 0));
    const run = finalStage
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? '')
      .join(' ');
    expect(run).to.include('iputils-ping').and.include('dnsutils');
    const user =
      finalStage
        .filter((i) => i.getKeyword() === 'USER')
        .at(-1)
        ?.getArgumentsContent() ?? 'root';
    expect(user.split(':')[0]).to.not.be.oneOf(['root', '0']);
    expect(JSON.parse(dockerfile.getENTRYPOINTs().at(-1)?.getArgumentsContent() ?? 'null')).to.deep.equal(['portolan']);
    for (const copy of dockerfile.getCOPYs().filter((c) => !c.getFromFlag())) {
      const sources = (copy.getArgumentsContent() ?? '').split(/\s+/).slice(0, -1);
      for (const s of sources) expect(existsSync(join(REPO, s)), `COPY ${s}`).to.equal(true);
    }
    expect(readFileSync(join(REPO, 'package.json'), 'utf8')).to.include('"bin": {\n    "portolan": "dist/cli/bin.js"');
  });

  it('systemd-analyze verify accepts the service and the timer', function () {
    const found = spawnSync('systemd-analyze', ['--version']);
    if (found.error) {
      if (process.env.CI && process.platform === 'linux')
        throw new Error('systemd-analyze is required under CI (.ci/run installs systemd)');
      console.log('      (skipped: systemd-analyze not found; Debian package systemd, installed by .ci/run)');
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'portolan-units-'));
    try {
      // The unit names /usr/bin/portolan; verify checks that ExecStart is executable, so it points at a stand-in here.
      const standIn = join(dir, 'portolan');
      writeFileSync(standIn, '#!/bin/sh\nexit 0\n');
      chmodSync(standIn, 0o755);
      writeFileSync(
        join(dir, 'portolan-agent.service'),
        read('systemd/portolan-agent.service').replace('/usr/bin/portolan ', `${standIn} `),
      );
      writeFileSync(join(dir, 'portolan-agent.timer'), read('systemd/portolan-agent.timer'));
      const out = execFileSync(
        'systemd-analyze',
        ['verify', '--man=no', join(dir, 'portolan-agent.service'), join(dir, 'portolan-agent.timer')],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).to.equal('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
