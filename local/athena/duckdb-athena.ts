import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance, DuckDBTypeId, StatementType } from '@duckdb/node-api';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { IDENTIFIER_PATTERN } from '../../functions/shared/catalog/catalog-types.ts';
import type { ObjectStore } from '../../functions/shared/ports/object-store.ts';
import { parseS3Uri } from '../../functions/shared/ports/object-store.ts';
import { FolderObjectStore } from '../s3/folder-object-store.ts';
import type { AthenaQueryEngine, AthenaQueryExecution, AthenaQueryRequest } from './athena-port.ts';
import { ATHENA_DATA_CATALOG, DEFAULT_WORK_GROUP, resultObjectUri } from './athena-port.ts';
import { ATHENA_EXCEPTION, AthenaQueryFailedError, requestIdText, serviceErrorCause } from './errors.ts';
import { LocalAthenaCatalog } from './local-athena-catalog.ts';
import type { LocalLakeLayout } from './local-lake.ts';

export interface DuckDbAthenaOptions extends LocalLakeLayout {
  /** The table catalog: each source becomes a view (see `LocalAthenaCatalog`). */
  readonly catalog: Catalog;
  /** Where results go; defaults to a FolderObjectStore on `dataDir`. */
  readonly objectStore?: ObjectStore;
  /** A DuckDB instance to use (the caller closes it); by default one in memory, closed by `close()`. */
  readonly instance?: DuckDBInstance;
  /** For tests: the clock and the execution ids. */
  readonly now?: () => number;
  readonly newQueryExecutionId?: () => string;
  /** Where DuckDB spools a result before it is streamed to the object store (default: the OS temp dir). */
  readonly spoolDir?: string;
}

/**
 * Athena on DuckDB: runs the Athena SQL against views over the local lake (`LocalAthenaCatalog`), has DuckDB write the
 * result in exactly Athena's CSV format to a spool file (DuckDB streams it: memory stays bounded whatever the row
 * count), streams that to `<OutputLocation>/<QueryExecutionId>.csv` through the ObjectStore port, and
 * answers with what GetQueryExecution would say. Failures throw `AthenaQueryFailedError` with Athena's texts
 * (TABLE_NOT_FOUND, COLUMN_NOT_FOUND, SYNTAX_ERROR, ...). Only single SELECT statements are run.
 */
export class DuckDbAthena implements AthenaQueryEngine {
  readonly #options: DuckDbAthenaOptions;
  readonly #catalog: LocalAthenaCatalog;
  readonly #objectStore: ObjectStore;
  #instance: Promise<DuckDBInstance> | undefined;

  constructor(options: DuckDbAthenaOptions) {
    this.#options = options;
    this.#catalog = new LocalAthenaCatalog(options.catalog, options);
    this.#objectStore = options.objectStore ?? new FolderObjectStore(options.dataDir);
    if (options.instance) this.#instance = Promise.resolve(options.instance);
  }

  async execute(request: AthenaQueryRequest, signal?: AbortSignal): Promise<AthenaQueryExecution> {
    signal?.throwIfAborted();
    const now = this.#options.now ?? Date.now;
    const submitted = now();
    const id = (this.#options.newQueryExecutionId ?? randomUUID)();
    const workGroup = request.workGroup ?? DEFAULT_WORK_GROUP;
    const fail = (cause: string): never => {
      throw new AthenaQueryFailedError(ATHENA_EXCEPTION, cause, id);
    };
    const outputUri = resultObjectUri(request.outputLocation, id);
    if (!/^s3:\/\/[^/]+\//.test(outputUri))
      fail(
        serviceErrorCause(
          `The output location '${request.outputLocation}' is not an s3://bucket/prefix URI`,
          400,
          'InvalidRequestException',
          requestIdText(),
        ),
      );
    const output = parseS3Uri(outputUri);
    if (!IDENTIFIER_PATTERN.test(request.database))
      fail(`SCHEMA_NOT_FOUND: Schema '${request.database}' does not exist`);

    const instance = await this.#instanceOnce();
    const connection = await instance.connect();
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    let bytes = 0;
    const spool = join(this.#options.spoolDir ?? tmpdir(), `athena-result-${id}-${process.pid}.csv`);
    try {
      await this.#catalog.refresh(connection);
      if (!this.#catalog.databases.includes(request.database))
        fail(`SCHEMA_NOT_FOUND: Schema '${request.database}' does not exist`);
      await connection.run(`SET schema = '${request.database}'`);
      const sql = request.queryString.trim().replace(/;\s*$/, '');
      const prepared = await connection.prepare(sql).catch((error: unknown) => fail(this.#cause(error, request)));
      if (prepared.statementType !== StatementType.SELECT)
        fail(
          serviceErrorCause(
            'Only SELECT queries run on the local Athena',
            400,
            'InvalidRequestException',
            requestIdText(),
          ),
        );
      const expressions: string[] = [];
      for (let index = 0; index < prepared.columnCount; index++) {
        const name = prepared.columnName(index).replaceAll('"', '""');
        expressions.push(`${athenaText(`"c${index}"`, prepared.columnTypeId(index))} AS "${name}"`);
      }
      const aliases = expressions.map((_, index) => `"c${index}"`).join(', ');
      const wrapped = `SELECT ${expressions.join(', ')} FROM (${sql}) AS athena_result(${aliases})`;
      // DuckDB writes the CSV itself (streaming, bounded memory): every column is already Athena's text, FORCE_QUOTE
      // quotes every non-null value and the header, NULL stays an empty unquoted field, '' becomes "".
      await connection.run(DOUBLE_TEXT_MACRO);
      await connection
        .run(
          `COPY (${wrapped}) TO ${sqlText(spool)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NULLSTR '', FORCE_QUOTE *)`,
        )
        .catch((error: unknown) => fail(this.#cause(error, request)));
      signal?.throwIfAborted();
      bytes = (await stat(spool)).size;
      await this.#objectStore.putObject(output, createReadStream(spool));
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof AthenaQueryFailedError) {
        await this.#forgetVanishedSource(connection, error);
        throw error;
      }
      fail(this.#cause(error, request));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
      await rm(spool, { force: true });
    }
    const completed = now();
    const elapsed = Math.max(0, completed - submitted);
    return {
      QueryExecutionId: id,
      Query: request.queryString,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: outputUri },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: { Database: request.database, Catalog: ATHENA_DATA_CATALOG },
      Status: { State: 'SUCCEEDED', SubmissionDateTime: submitted, CompletionDateTime: completed },
      Statistics: {
        EngineExecutionTimeInMillis: elapsed,
        // DuckDB does not report bytes read; the result size is the honest local stand-in.
        DataScannedInBytes: bytes,
        TotalExecutionTimeInMillis: elapsed,
        QueryQueueTimeInMillis: 0,
        ServicePreProcessingTimeInMillis: 0,
        QueryPlanningTimeInMillis: 0,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
      },
      WorkGroup: workGroup,
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      SubstatementType: 'SELECT',
    };
  }

  /** Closes the DuckDB instance this engine created (not one passed in). */
  async close(): Promise<void> {
    if (this.#instance === undefined || this.#options.instance) return;
    (await this.#instance).closeSync();
    this.#instance = undefined;
  }

  #instanceOnce(): Promise<DuckDBInstance> {
    this.#instance ??= DuckDBInstance.create(':memory:');
    return this.#instance;
  }

  #cause(error: unknown, request: AthenaQueryRequest): string {
    const message = error instanceof Error ? error.message : String(error);
    return athenaCauseOf(message, request, (path) => this.#catalog.sourceOfPath(path));
  }

  async #forgetVanishedSource(connection: DuckDBConnection, error: AthenaQueryFailedError): Promise<void> {
    const match = /^TABLE_NOT_FOUND: .*Table 'awsdatacatalog\.([a-z0-9_]+)\.([a-z0-9_]+)'/.exec(error.cause);
    if (match) await this.#catalog.forget(connection, { database: match[1]!, table: match[2]! }).catch(() => undefined);
  }
}

/**
 * `athena_double(x)`: a DOUBLE or REAL as Athena (Java's `Double.toString` / `Float.toString`) prints it, built from
 * DuckDB's own shortest round-trip text: plain between 10^-3 and 10^7 (where both print the same), otherwise
 * `d.dddE<exponent>`; `NaN`, `Infinity`. `formatAthenaDouble` in athena-csv.ts is the same rule in TypeScript.
 */
export const DOUBLE_TEXT_MACRO = `
CREATE OR REPLACE TEMP MACRO athena_double_digits(t) AS CASE
  WHEN contains(t, 'e') THEN rtrim(replace(split_part(t, 'e', 1), '.', ''), '0')
  WHEN split_part(t, '.', 1) <> '0' THEN rtrim(split_part(t, '.', 1) || split_part(t, '.', 2), '0')
  ELSE rtrim(ltrim(split_part(t, '.', 2), '0'), '0') END;
CREATE OR REPLACE TEMP MACRO athena_double_exponent(t) AS CASE
  WHEN contains(t, 'e') THEN CAST(split_part(t, 'e', 2) AS INTEGER)
  WHEN split_part(t, '.', 1) <> '0' THEN length(split_part(t, '.', 1)) - 1
  ELSE -(length(split_part(t, '.', 2)) - length(ltrim(split_part(t, '.', 2), '0')) + 1) END;
CREATE OR REPLACE TEMP MACRO athena_double_scientific(negative, digits, exponent) AS
  (CASE WHEN negative THEN '-' ELSE '' END) || digits[1] || '.' || coalesce(nullif(digits[2:], ''), '0')
  || 'E' || CAST(exponent AS VARCHAR);
CREATE OR REPLACE TEMP MACRO athena_double(x) AS CASE
  WHEN isnan(x) THEN 'NaN'
  WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
  WHEN x = 0 THEN '0.0'
  WHEN abs(x) >= 0.001 AND abs(x) < 10000000 THEN CAST(x AS VARCHAR)
  ELSE athena_double_scientific(
    x < 0,
    athena_double_digits(ltrim(CAST(x AS VARCHAR), '-')),
    athena_double_exponent(ltrim(CAST(x AS VARCHAR), '-')))
END;`;

/** The SQL giving one result column as the text Athena prints for it (NULL stays NULL). */
function athenaText(ref: string, type: DuckDBTypeId): string {
  switch (type) {
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return `athena_double(${ref})`;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return `strftime(${ref}::TIMESTAMP, '%Y-%m-%d %H:%M:%S.%g')`;
    case DuckDBTypeId.TIMESTAMP_TZ:
      // Athena prints `timestamp with time zone` with its zone; the local engine runs in UTC.
      return `strftime(timezone('UTC', ${ref}), '%Y-%m-%d %H:%M:%S.%g') || ' UTC'`;
    case DuckDBTypeId.VARCHAR:
      return ref;
    default:
      // Integers, decimals (plain digits with their scale, no exponent), booleans (true/false), dates, JSON.
      return `CAST(${ref} AS VARCHAR)`;
  }
}

function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Athena's failure text for a DuckDB error: what Athena engine 3 writes in `StateChangeReason`, e.g.
 * `TABLE_NOT_FOUND: line 1:58: Table 'awsdatacatalog.aggregations.x' does not exist`.
 */
export function athenaCauseOf(
  message: string,
  request: Pick<AthenaQueryRequest, 'queryString' | 'database'>,
  sourceOfPath: (path: string) => { database: string; table: string } | undefined = () => undefined,
): string {
  const first = message.split('\n')[0] ?? message;
  const query = request.queryString;
  const table = /Table with name "?([A-Za-z0-9_.]+?)"? does not exist/.exec(first);
  if (table) {
    const parts = table[1]!.split('.');
    const name = parts.at(-1)!;
    const database = parts.length > 1 ? parts.at(-2)! : request.database;
    return `TABLE_NOT_FOUND: line ${position(query, [`"${database}"."${name}"`, `${database}.${name}`, `"${name}"`, name])}: Table '${ATHENA_DATA_CATALOG}.${database}.${name}' does not exist`;
  }
  const noFiles = /No files found that match the pattern "([^"]+)"/.exec(first);
  if (noFiles) {
    const source = sourceOfPath(noFiles[1]!);
    if (source)
      return `TABLE_NOT_FOUND: line ${position(query, [`"${source.database}"."${source.table}"`, source.table])}: Table '${ATHENA_DATA_CATALOG}.${source.database}.${source.table}' does not exist`;
  }
  const column = /Referenced column "?([^"\s]+)"? not found/.exec(first);
  if (column) {
    const name = column[1]!;
    return `COLUMN_NOT_FOUND: line ${position(query, [`"${name}"`, name])}: Column '${name}' cannot be resolved or requester is not authorized to access requested resources`;
  }
  if (first.startsWith('Parser Error:')) return `SYNTAX_ERROR: line 1:1: ${first.slice('Parser Error:'.length).trim()}`;
  if (first.startsWith('Out of Memory Error:')) return 'Query exhausted resources at this scale factor';
  return `GENERIC_INTERNAL_ERROR: ${first}`;
}

/** `line:column` (1-based) of the first of `needles` found in the query, as Athena reports positions. */
function position(query: string, needles: readonly string[]): string {
  for (const needle of needles) {
    const index = query.indexOf(needle);
    if (index >= 0) {
      const before = query.slice(0, index).split('\n');
      return `${before.length}:${before.at(-1)!.length + 1}`;
    }
  }
  return '1:1';
}
