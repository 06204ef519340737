import { createHash } from 'node:crypto';
import type { Catalog, TableSpec } from '../shared/catalog/catalog-types.ts';
import { addHours, type Hour, hourOf, parseHour } from '../shared/hour.ts';
import { importExecutionName } from './execution-name.ts';
import { tablesProducedBy } from './produced-by.ts';

/** What finished upstream: an EMR step (or EMR Serverless job run) that produced the hour's aggregations. */
export interface CompletedProducer {
  /** The EMR step name (or serverless job run name) matched against the catalog's `producedBy`. */
  readonly name: string;
  /** Identifies the produced data: the step id or job run id. Duplicate deliveries share it. */
  readonly sourceId: string;
  /** When the producer completed (the event's `time`). */
  readonly completedAt: Date;
}

/** Explicit input, for manual runs and backfills. */
export interface ManualPlanRequest {
  readonly hour: string;
  /** Table names; all catalog tables when absent. */
  readonly tables?: readonly string[];
  /** Re-import even when the ledger says done: recorded as a new attempt. */
  readonly force?: boolean;
}

/** One item of a Map state: everything the import machine needs, plus its deterministic execution name. */
export interface PlannedImport {
  readonly table: string;
  readonly hour: string;
  /** Source id of the data, or null for a manual run (then any earlier success counts as done). */
  readonly source: string | null;
  readonly force: boolean;
  readonly correlationId: string;
  readonly executionName: string;
}

export interface ImportPlan {
  readonly hour: string;
  readonly correlationId: string;
  readonly heavy: PlannedImport[];
  readonly light: PlannedImport[];
  /** Set when the trigger was valid but asks for nothing (no table matches the step name). */
  readonly note?: string;
}

export class PlanError extends Error {
  override readonly name = 'PlanError';
}

const HOUR_IN_NAME = /(\d{4}-\d{2}-\d{2}T\d{2})/;

/**
 * The hour an EMR step produced: an hour written in the step name (`hourly-aggregations-2026-11-27T10`) wins;
 * otherwise the hour before the one in which the step completed, since an hourly aggregation runs after its hour ends.
 */
export function producedHour(producer: CompletedProducer): Hour {
  const written = HOUR_IN_NAME.exec(producer.name);
  if (written) return parseHour(written[1]!, `hour in step name '${producer.name}'`);
  return addHours(hourOf(producer.completedAt), -1);
}

function split(items: PlannedImport[], tables: readonly TableSpec[]): Pick<ImportPlan, 'heavy' | 'light'> {
  const weightOf = new Map(tables.map((table) => [table.name, table.weight]));
  return {
    heavy: items.filter((item) => weightOf.get(item.table) === 'heavy'),
    light: items.filter((item) => weightOf.get(item.table) === 'light'),
  };
}

/** Plans the imports of a completed EMR step: each produced table once per (table, hour, source). */
export function planFromProducer(catalog: Catalog, producer: CompletedProducer, correlationId: string): ImportPlan {
  const hour = producedHour(producer);
  const tables = tablesProducedBy(catalog, producer.name);
  const items = tables.map((table) => ({
    table: table.name,
    hour: hour.text,
    source: producer.sourceId,
    force: false,
    correlationId,
    executionName: importExecutionName(table.name, hour.text, producer.sourceId),
  }));
  const note = tables.length === 0 ? `no catalog table is produced by '${producer.name}'` : undefined;
  return { hour: hour.text, correlationId, ...split(items, tables), ...(note ? { note } : {}) };
}

/**
 * Plans a manual run or backfill. Names carry a digest of the orchestration, so re-running an hour starts new
 * executions; the ledger (checked by each import) is what skips tables already imported.
 */
export function planFromRequest(catalog: Catalog, request: ManualPlanRequest, correlationId: string): ImportPlan {
  const hour = parseHour(request.hour);
  const known = new Map(catalog.tables.map((table) => [table.name, table]));
  const names = request.tables ?? catalog.tables.map((table) => table.name);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new PlanError(
      `unknown table(s) ${unknown.map((n) => `'${n}'`).join(', ')}; the catalog has: ${[...known.keys()].join(', ')}`,
    );
  }
  const tables = [...new Set(names)].map((name) => known.get(name)!);
  const run = createHash('sha256').update(correlationId).digest('hex').slice(0, 10);
  const force = request.force === true;
  const items = tables.map((table) => ({
    table: table.name,
    hour: hour.text,
    source: null,
    force,
    correlationId,
    executionName: importExecutionName(table.name, hour.text, `${force ? 'force' : 'run'}-${run}`),
  }));
  return { hour: hour.text, correlationId, ...split(items, tables) };
}
