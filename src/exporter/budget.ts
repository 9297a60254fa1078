/**
 * How long one probe may take. Prometheus says how long it will wait in the
 * `X-Prometheus-Scrape-Timeout-Seconds` header; the check is cut `offset` before that, so
 * the answer (a partial result, success 0) arrives while Prometheus still listens and the
 * target reads as failing rather than as an exporter that is down. A module's own `timeout`
 * shortens it further. This is blackbox_exporter's rule, including its 120 s without a header.
 */
import { PortolanError } from '../errors.js';

export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';

/** Without the header (a person with curl): as long as blackbox_exporter allows. */
export const DEFAULT_BUDGET_MS = 120_000;

/** The shortest budget: below it not even one connect attempt fits. */
export const MIN_BUDGET_MS = 100;

/**
 * The probe's budget in ms.
 * @param header the header's value, if Prometheus sent one
 * @param offsetMs `--timeout-offset`, taken off the scrape timeout
 * @param moduleTimeoutMs the module's `timeout`, or null
 * @throws PortolanError INVALID_VALUE (HTTP 400) when the header is not a positive number of seconds
 */
export function probeBudgetMs(header: string | undefined, offsetMs: number, moduleTimeoutMs: number | null): number {
  let scrapeMs = DEFAULT_BUDGET_MS;
  if (header !== undefined) {
    const seconds = /^\s*\d+(\.\d+)?\s*$/.test(header) ? Number(header) : Number.NaN;
    if (!(seconds > 0)) {
      throw new PortolanError(
        'INVALID_VALUE',
        `${SCRAPE_TIMEOUT_HEADER} "${header.slice(0, 40)}": expected a positive number of seconds`,
      );
    }
    scrapeMs = seconds * 1000 - offsetMs;
  }
  const budget = moduleTimeoutMs !== null ? Math.min(moduleTimeoutMs, scrapeMs) : scrapeMs;
  return Math.max(MIN_BUDGET_MS, Math.round(budget));
}
