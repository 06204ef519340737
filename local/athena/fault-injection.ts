import type { AthenaQueryEngine, AthenaQueryExecution, AthenaQueryRequest } from './athena-port.ts';
import { ATHENA_EXCEPTION, AthenaQueryFailedError, throttlingCause } from './errors.ts';

/** One planned failure: the next `count` matching queries fail with `error` / `cause`. */
export interface AthenaFault {
  readonly count: number;
  /** Step Functions Error name, e.g. `Athena.AmazonAthenaException`. */
  readonly error: string;
  /** Step Functions Cause text. */
  readonly cause: string;
  /** Only queries reading this source table (`table` or `database.table`); default: any query. */
  readonly table?: string;
}

/** Faults are consumed in order: a query takes the first fault that matches it and still has failures left. */
export type AthenaFaultPlan = readonly AthenaFault[];

/** What `withFaults` returns: the engine, and how many planned failures are left. */
export interface FaultyAthenaEngine extends AthenaQueryEngine {
  remainingFaults(): number;
}

/**
 * Wraps an engine so the next N queries (optionally only those reading a given source table) fail with a given
 * Error and Cause before reaching it: for tests and demos of the retry loop. Failures throw the same
 * `AthenaQueryFailedError` a real failure would.
 */
export function withFaults(engine: AthenaQueryEngine, plan: AthenaFaultPlan): FaultyAthenaEngine {
  const left = plan.map((fault) => ({ fault, remaining: fault.count }));
  return {
    remainingFaults: () => left.reduce((sum, entry) => sum + entry.remaining, 0),
    async execute(request: AthenaQueryRequest, signal?: AbortSignal): Promise<AthenaQueryExecution> {
      signal?.throwIfAborted();
      const entry = left.find(({ fault, remaining }) => remaining > 0 && readsTable(request, fault.table));
      if (entry) {
        entry.remaining -= 1;
        throw new AthenaQueryFailedError(entry.fault.error, entry.fault.cause);
      }
      return engine.execute(request, signal);
    },
  };
}

function readsTable(request: AthenaQueryRequest, table: string | undefined): boolean {
  if (table === undefined) return true;
  const [database, name] = table.includes('.') ? (table.split('.', 2) as [string, string]) : [request.database, table];
  const query = request.queryString;
  return (
    query.includes(`"${database}"."${name}"`) ||
    query.includes(`${database}.${name}`) ||
    (database === request.database && new RegExp(`(^|[^a-z0-9_."])"?${name}"?([^a-z0-9_."]|$)`).test(query))
  );
}

/** The environment variable a local run reads its Athena fault plan from (see `parseFaultSpec`). */
export const ATHENA_FAULTS_ENV = 'AURORA_IMPORTS_ATHENA_FAULTS';

/** The fault plan in `env` (empty when unset); throws `InvalidFaultSpecError` naming the variable when unreadable. */
export function faultPlanFromEnv(env: Readonly<Record<string, string | undefined>>): AthenaFaultPlan {
  const spec = env[ATHENA_FAULTS_ENV];
  if (spec === undefined) return [];
  try {
    return parseFaultSpec(spec);
  } catch (error) {
    throw new InvalidFaultSpecError(`${ATHENA_FAULTS_ENV}: ${(error as Error).message}`);
  }
}

/** Thrown for a fault spec that cannot be read. */
export class InvalidFaultSpecError extends Error {
  override readonly name = 'InvalidFaultSpecError';
}

/**
 * Reads a fault plan from the command line or the environment. Either JSON (one fault object or an array of them,
 * with `count`, `error`, `cause`, optional `table`), or text: faults separated by `;`, each
 * `count:error:cause` or `table@count:error:cause` (the cause may contain `:`), e.g.
 * `3:Athena.AmazonAthenaException:Rate exceeded` or `search_terms_hourly@1:Athena.TooManyRequestsException:`.
 * An empty cause gets a default: the throttling text for throttling errors, else a generic internal error.
 */
export function parseFaultSpec(spec: string): AthenaFaultPlan {
  const text = spec.trim();
  if (text === '') return [];
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InvalidFaultSpecError(`fault spec is not valid JSON: ${(error as Error).message}`);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    return items.map((item, index) => faultFromJson(item, `fault spec [${index}]`));
  }
  return text
    .split(';')
    .map((part, index) => faultFromText(part.trim(), `fault spec part ${index + 1} '${part.trim()}'`));
}

function faultFromText(part: string, what: string): AthenaFault {
  const match = /^(?:([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)@)?(\d+):([A-Za-z0-9_.]+):(.*)$/s.exec(part);
  if (!match)
    throw new InvalidFaultSpecError(
      `${what} is not [table@]count:error:cause, e.g. 3:Athena.AmazonAthenaException:Rate exceeded`,
    );
  return fault(Number(match[2]), match[3]!, match[4]!, match[1], what);
}

function faultFromJson(item: unknown, what: string): AthenaFault {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new InvalidFaultSpecError(`${what} must be an object with count, error, cause and optional table`);
  const { count, error, cause, table } = item as Record<string, unknown>;
  if (typeof count !== 'number') throw new InvalidFaultSpecError(`${what}.count must be a number`);
  if (typeof error !== 'string' || error === '')
    throw new InvalidFaultSpecError(`${what}.error must be a non-empty string`);
  if (cause !== undefined && typeof cause !== 'string')
    throw new InvalidFaultSpecError(`${what}.cause must be a string`);
  if (table !== undefined && typeof table !== 'string')
    throw new InvalidFaultSpecError(`${what}.table must be a string`);
  return fault(count, error, cause ?? '', table, what);
}

function fault(count: number, error: string, cause: string, table: string | undefined, what: string): AthenaFault {
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidFaultSpecError(`${what}: count must be a whole number ≥ 1`);
  const text =
    cause.trim() !== ''
      ? cause
      : error === ATHENA_EXCEPTION || /TooManyRequests|Throttl/.test(error)
        ? throttlingCause()
        : 'GENERIC_INTERNAL_ERROR: injected fault';
  return { count, error, cause: text, ...(table ? { table } : {}) };
}
