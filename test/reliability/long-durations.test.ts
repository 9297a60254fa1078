/**
 * Issue 12 item 2: a user-given duration longer than one Node timer (2^31-1 ms, about 24.8
 * days) must be waited in full. Node's own mock timers reproduce the overflow (a single
 * setTimeout of 720 h fires after 1 ms), so these tests tick a fake clock instead of waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock } from 'node:test';
import { expect } from 'chai';
import { runAgent } from '../../src/agent/agent.js';
import { MAX_TIMER_MS, parseDuration, sleep } from '../../src/duration.js';
import { isPortolanError } from '../../src/errors.js';
import { runListen, type TextStream } from '../../src/responder/session.js';
import { stubRunCheck } from '../plan/stub-check.js';

const HOUR = 3_600_000;

/**
 * Let promise callbacks and I/O run (setImmediate and performance.now are not faked): until
 * `done()`, or for 200 turns when there is nothing to wait for, within 10 s of real time on
 * a busy machine.
 */
async function settle(done?: () => boolean): Promise<void> {
  const until = performance.now() + 10_000;
  for (let i = 0; done ? !done() : i < 200; i++) {
    if (performance.now() > until) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

class Capture implements TextStream {
  text = '';
  write(t: string) {
    this.text += t;
    return true;
  }
}

describe('durations past 2^31 ms (fake timers)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('the fake clock overflows a plain setTimeout of 720 h, as Node does', () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 720 * HOUR);
    mock.timers.tick(5);
    expect(fired).to.equal(true);
  });

  it('sleep() waits 720 h in steps: not done after 2^31 ms, done at 720 h', async () => {
    let done = false;
    void sleep(720 * HOUR).then(() => {
      done = true;
    });
    mock.timers.tick(MAX_TIMER_MS);
    await settle();
    expect(done).to.equal(false);
    mock.timers.tick(720 * HOUR - MAX_TIMER_MS - 1);
    await settle();
    expect(done).to.equal(false);
    mock.timers.tick(1);
    await settle(() => done);
    expect(done).to.equal(true);
  });

  it('sleep() ends early, without a rejection, when its signal aborts', async () => {
    const stop = new AbortController();
    let done = false;
    void sleep(720 * HOUR, stop.signal).then(() => {
      done = true;
    });
    stop.abort();
    await settle(() => done);
    expect(done).to.equal(true);
  });

  it('agent --every 720h: the second run waits 720 h, not 1 ms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-every-'));
    const stop = new AbortController();
    try {
      writeFileSync(
        join(dir, 'plan.yaml'),
        'version: 1\nname: every\ngroups:\n  - name: g\n    targets: [dc1.test]\n    ports: [88/tcp]\n' +
          `outputs:\n  directory: ${join(dir, 'reports')}\n  formats: [json]\n`,
      );
      const lines: string[] = [];
      const agent = runAgent({
        planPath: join(dir, 'plan.yaml'),
        everyMs: parseDuration('720h', '--every'),
        jitter: 0,
        historyPath: null,
        maxRuns: 2,
        runCheck: stubRunCheck(() => 'open').runCheck,
        stop: stop.signal,
        log: (line) => lines.push(line),
        commandLine: [],
      });
      await settle(() => lines.length === 1);
      expect(lines).to.have.length(1);
      for (const step of [1, 7500, MAX_TIMER_MS]) {
        mock.timers.tick(step);
        await settle();
        expect(lines, `after another ${step} ms`).to.have.length(1);
      }
      mock.timers.tick(720 * HOUR);
      await settle(() => lines.length === 2);
      expect((await agent).runs).to.equal(2);
    } finally {
      // Whatever an assertion said, the agent stops with the test.
      stop.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('listen --duration 600h: still serving after 52 ms and after 2^31 ms, stops at 600 h', async () => {
    const stdout = new Capture();
    const stop = new AbortController();
    let stopReason: string | null = null;
    const session = runListen({
      responder: { token: 'tok', bind: '127.0.0.1', ports: [{ transport: 'tcp', port: 0 }] },
      notServed: [],
      durationMs: parseDuration('600h', '--duration'),
      format: 'table',
      clientCommand: ['portolan', 'check'],
      generatedToken: false,
      stdout,
      stderr: new Capture(),
      signal: stop.signal,
    }).then((outcome) => {
      stopReason = outcome.stopReason;
    });
    try {
      await settle(() => stdout.text.includes('Listening for'));
      expect(stdout.text).to.include('Listening for 25 d');
      for (const step of [52, MAX_TIMER_MS]) {
        mock.timers.tick(step);
        await settle();
        expect(stopReason, `after another ${step} ms`).to.equal(null);
      }
      mock.timers.tick(600 * HOUR);
      await session;
      expect(stopReason).to.equal('duration reached');
    } finally {
      // Whatever an assertion said, the responder closes with the test.
      stop.abort('test over');
      await session;
    }
  });
});

describe('absurd durations are rejected when parsed', () => {
  const rejects = (text: string, bounds?: Parameters<typeof parseDuration>[2]) => {
    try {
      parseDuration(text, '--duration', bounds);
    } catch (err) {
      expect(isPortolanError(err, 'INVALID_VALUE'), text).to.equal(true);
      return (err as Error).message;
    }
    throw new Error(`${text} was accepted`);
  };

  it('below a millisecond (it would round to nothing), above a year and a day, or past any number', () => {
    expect(rejects('0.0001ms')).to.match(/^--duration "0\.0001ms": too short; expected a duration from 1 ms to 366 d$/);
    expect(rejects('0.4ms')).to.match(/too short/);
    expect(rejects('367d')).to.match(/too long; expected a duration from 1 ms to 366 d/);
    expect(rejects(`${'9'.repeat(400)}d`)).to.match(/too long/);
  });

  it('a caller may ask for tighter bounds; long real values pass', () => {
    expect(rejects('500ms', { minMs: 1000 })).to.match(/too short; expected a duration from 1\.0 s to 366 d/);
    expect(parseDuration('720h', '--every')).to.equal(720 * HOUR);
    expect(parseDuration('366d', '--every')).to.equal(366 * 24 * HOUR);
    expect(parseDuration('1ms', '--every')).to.equal(1);
  });
});
