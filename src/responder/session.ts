/**
 * One `portolan listen` session: start the responder, say what is served and what to run
 * on the clients, show hits as they come, stop after the duration or on a signal, close
 * everything and print the summary. Streams and the stop signal are injected (the CLI
 * passes process.stdout/stderr and SIGINT/SIGTERM; tests pass buffers).
 *
 * Output: with `--format table` everything goes to stdout, the live view as a matrix
 * redrawn at most every `redrawMs` on a TTY and as one line per hit otherwise. With
 * `--format json`, stdout carries only JSON lines (`serving`, `firewall` on Windows, one `hit`
 * per hit, `firewall-summary`, `summary`) and the human text goes to stderr, the live matrix
 * only when stderr is a TTY. With a host firewall (Windows), its report comes before the
 * client command and its summary after the session's.
 *
 * Exit code: 0 every port served; 1 some ports could not be opened (the rest were served);
 * 2 none could be opened.
 */
import { formatDuration, sleep } from '../duration.js';
import { EXIT } from '../exit-codes.js';
import type { HostFirewall } from './firewall-session.js';
import type { PortPlan } from './ports.js';
import { renderClientCommand, renderHitLine, renderMatrix, renderServed, renderSummary } from './render.js';
import { type Hit, type Responder, type ResponderOptions, startResponder } from './server.js';

export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  rows?: number;
}

export interface ListenSessionOptions {
  responder: Omit<ResponderOptions, 'onHit'>;
  notServed: PortPlan['notServed'];
  durationMs: number;
  format: 'table' | 'json';
  /** The `portolan check ...` words a client should run. */
  clientCommand: string[];
  generatedToken: boolean;
  stdout: TextStream;
  stderr: TextStream;
  /** Aborting it stops the session; its reason (e.g. "SIGINT") is shown. */
  signal?: AbortSignal;
  /** @default 250 */
  redrawMs?: number;
  /** The host's own firewall (Windows): checked once the ports are open, undone at the end. */
  firewall?: HostFirewall;
}

export interface ListenOutcome {
  exitCode: number;
  stopReason: string;
  responder: Responder;
}

/** A matrix that redraws in place, at most once per `intervalMs`. */
function liveMatrix(out: TextStream, draw: () => string, intervalMs: number) {
  let lines = 0;
  let timer: NodeJS.Timeout | null = null;
  let lastMs = 0;
  const redraw = () => {
    timer = null;
    lastMs = Date.now();
    const text = draw();
    out.write(`${lines ? `\x1b[${lines}A\x1b[0J` : ''}${text}`);
    lines = text.split('\n').length - 1;
  };
  return {
    redraw,
    schedule() {
      timer ??= setTimeout(redraw, Math.max(0, lastMs + intervalMs - Date.now()));
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Until the duration ends (any length: `sleep` waits past one timer's limit) or `signal` aborts; says which. */
async function waitForStop(durationMs: number, signal?: AbortSignal): Promise<string> {
  await sleep(durationMs, signal);
  return signal?.aborted ? String(signal.reason ?? 'stopped') : 'duration reached';
}

export async function runListen(o: ListenSessionOptions): Promise<ListenOutcome> {
  const human = o.format === 'json' ? o.stderr : o.stdout;
  const json = (value: unknown) => o.stdout.write(`${JSON.stringify(value)}\n`);
  let responder: Responder | null = null;
  const matrix = human.isTTY
    ? liveMatrix(
        human,
        () => (responder ? renderMatrix(responder.served, responder.reach, (human.rows ?? 40) - 6) : ''),
        o.redrawMs ?? 250,
      )
    : null;
  const onHit = (hit: Hit) => {
    if (o.format === 'json') json({ event: 'hit', ...hit, at: new Date(hit.atMs).toISOString() });
    if (matrix) matrix.schedule();
    else if (o.format === 'table') o.stdout.write(renderHitLine(hit));
  };

  const startedMs = Date.now();
  responder = await startResponder({ ...o.responder, onHit });
  const { served } = responder;
  const serving = served.filter((s) => !s.failure).length;
  if (o.format === 'json')
    json({ event: 'serving', bind: o.responder.bind ?? '0.0.0.0', served, notServed: o.notServed });
  human.write(renderServed(served, o.notServed));
  if (serving === 0) {
    await responder.close();
    human.write('Nothing could be opened: no responder is running.\n');
    return { exitCode: EXIT.usage, stopReason: 'nothing served', responder };
  }
  const open = served.filter((s) => !s.failure);
  const firewall = o.firewall ? await o.firewall.prepare(open) : null;
  if (firewall) {
    if (o.format === 'json') json(firewall.json);
    human.write(`\n${firewall.text}`);
  }
  human.write(`\n${renderClientCommand(o.clientCommand, o.generatedToken)}`);
  human.write(`Listening for ${formatDuration(o.durationMs)} (Ctrl-C stops).\n\n`);
  matrix?.redraw();

  const stopReason = await waitForStop(o.durationMs, o.signal);
  matrix?.stop();
  await responder.close();
  matrix?.redraw();
  const elapsedText = formatDuration(Date.now() - startedMs);
  human.write(`\n${renderSummary(served, responder.reach, responder.stats, { reason: stopReason, elapsedText })}`);
  if (o.firewall) {
    const done = await o.firewall.finish();
    human.write(`\n${done.text}`);
    if (o.format === 'json') json(done.json);
  }
  if (o.format === 'json') {
    const reach = Object.fromEntries(
      [...responder.reach].map(([port, bySource]) => [port, Object.fromEntries(bySource)]),
    );
    const neverReached = served.filter((s) => !s.failure && !(`${s.port}/${s.transport}` in reach));
    json({
      event: 'summary',
      stopReason,
      reach,
      neverReached: neverReached.map((s) => `${s.port}/${s.transport}`),
      stats: responder.stats,
    });
  }
  return { exitCode: serving < served.length ? EXIT.nonCompliant : EXIT.compliant, stopReason, responder };
}
