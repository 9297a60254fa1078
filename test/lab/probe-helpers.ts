/** Runs `raw-probe.ts` inside a lab namespace and returns what it saw. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from './lab.js';
import type { SourceId, TargetId } from './topology.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RawProbe {
  result: 'connected' | 'refused' | 'reply' | 'timeout' | 'error';
  bytes: string;
  error: string;
}

export async function rawProbe(
  lab: Lab,
  from: SourceId | TargetId,
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
  payload: Uint8Array = new Uint8Array(),
  timeoutMs = 2_000,
): Promise<RawProbe> {
  const script = join(REPO, 'test', 'lab', 'raw-probe.ts');
  const args = ['--import', 'tsx', script, protocol, address, String(port), Buffer.from(payload).toString('hex')];
  const out = await lab.exec(from, process.execPath, [...args, String(timeoutMs)], {
    cwd: REPO,
    timeoutMs: timeoutMs + 15_000,
  });
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as RawProbe;
}
