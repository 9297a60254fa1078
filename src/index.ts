/**
 * portolan as a library: the catalog, one check run, and the renderers. The JSON result
 * (`RunResult`) is the public API; its schema is checks/schema/result.schema.json.
 */
import { type ExpandOptions, expandRole as expandRoleIn } from './catalog/expand.js';
import { loadCatalog } from './catalog/load.js';
import type { Catalog, Expectation } from './model.js';

export { computeRootCauses, type RootCauseInput, rootCausesOf } from './analyze/root-causes.js';
export { type ExpandOptions, expandPorts, expandService } from './catalog/expand.js';
export { loadCatalog } from './catalog/load.js';
export {
  type CheckHooks,
  type CheckRequest,
  type CheckStreamHooks,
  checkTargets,
  runCheck,
} from './check/run-check.js';
export { isPortolanError, PortolanError, type PortolanErrorCode } from './errors.js';
export { type ExporterOptions, type RunningExporter, startExporter } from './exporter/exporter.js';
export { type ProbeMetricsOptions, probeRegistry } from './exporter/probe-metrics.js';
export type * from './model.js';
export { type Format, renderers } from './report/index.js';
export { writeReports } from './report/write.js';
export { joinResult, type RunHeader, splitResult, type TargetRecord } from './result/target-records.js';
export { type FailOn, RUN_OPTIONS, type RunOptionKey, type RunSettings } from './run-options.js';

/**
 * The expectations (target-independent) a role brings: every port row of its services,
 * with conditions applied and port sets resolved (`{ os: '2008' }` brings DFSR 5722/tcp).
 * Loads the built-in catalog (plus `checks` directories) unless `catalog` is given.
 */
export async function expandRole(
  roleId: string,
  options: ExpandOptions & { catalog?: Catalog; checks?: string[] } = {},
): Promise<Expectation[]> {
  const catalog = options.catalog ?? (await loadCatalog({ dirs: options.checks ?? [] }));
  return expandRoleIn(catalog, roleId, options);
}
