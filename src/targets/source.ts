/**
 * The vantage point's addresses: what `--source` may name (loopback too, for local checks)
 * and what a result records as where the probes came from.
 */
import { networkInterfaces } from 'node:os';
import { PortolanError } from '../errors.js';

/** This machine's addresses; loopback too when asked. */
export function localAddresses(withLoopback = false): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && (withLoopback || !a.internal))
    .map((a) => a?.address as string);
}

/** Probes can only leave from an address this machine has: say so before any probe. */
export function checkSourceAddress(source: string | null): void {
  if (source === null) return;
  const mine = localAddresses(true);
  if (!mine.includes(source)) {
    throw new PortolanError(
      'INVALID_VALUE',
      `source ${source} is not an address of this machine (it has: ${mine.join(', ') || 'none'})`,
      { fields: ['source'] },
    );
  }
}
