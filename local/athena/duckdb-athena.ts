import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { DuckDBInstance, DuckDBTypeId, StatementType } from '@duckdb/node-api';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { IDENTIFIER_PATTERN } from '../../functions/shared/catalog/catalog-types.ts';
import type { ObjectStore } from '../../functions/shared/ports/object-store.ts';
import { parseS3Uri } from '../../functions/shared/ports/object-store.ts';
import { FolderObjectStore } from '../s3/folder-object-store.ts';
import { csvField, formatAthenaDouble, formatAthenaReal } from './athena-csv.ts';
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
}

/** Rows formatted per chunk; DuckDB's own chunks are 2,048 rows, so memory stays bounded whatever the result size. */
type Formatter = (value: unknown) => string;

/**
 * Athena on DuckDB: runs the Athena SQL against views over the local lake (`LocalAthenaCatalog`), streams the result
 * into `<OutputLocation>/<QueryExecutionId>.csv` in exactly Athena's CSV format through the ObjectStore port, and
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
    const outputUri = resultObjectUri(request.outputLocation, id);
    const output = parseS3Uri(outputUri);
    const workGroup = request.workGroup ?? DEFAULT_WORK_GROUP;
    const fail = (cause: string): never => {
      throw new AthenaQueryFailedError(ATHENA_EXCEPTION, cause, id);
    };
    if (!IDENTIFIER_PATTERN.test(request.database))
      fail(`SCHEMA_NOT_FOUND: Schema '${request.database}' does not exist`);

    const instance = await this.#instanceOnce();
    const connection = await instance.connect();
    const onAbort = () => connection.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    let bytes = 0;
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
      const names: string[] = [];
      const expressions: string[] = [];
      const formatters: Formatter[] = [];
      for (let index = 0; index < prepared.columnCount; index++) {
        names.push(prepared.columnName(index));
        const [expression, formatter] = columnOutput(`c${index}`, prepared.columnTypeId(index));
        expressions.push(`${expression} AS "c${index}"`);
        formatters.push(formatter);
      }
      const aliases = names.map((_, index) => `"c${index}"`).join(', ');
      const wrapped = `SELECT ${expressions.join(', ')} FROM (${sql}) AS athena_result(${aliases})`;
      const result = await connection.stream(wrapped).catch((error: unknown) => fail(this.#cause(error, request)));
      const lines = csvChunks(names, formatters, result, signal);
      const counted = Readable.from(
        (async function* () {
          for await (const text of lines) {
            bytes += Buffer.byteLength(text);
            yield text;
          }
        })(),
      );
      await this.#objectStore.putObject(output, counted).catch((error: unknown) => {
        signal?.throwIfAborted();
        if (error instanceof AthenaQueryFailedError) throw error;
        fail(this.#cause(error, request));
      });
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

/** The SQL that turns one result column into Athena's text (or leaves it for a JS formatter), and that formatter. */
function columnOutput(column: string, type: DuckDBTypeId): [string, Formatter] {
  const ref = `"${column}"`;
  const text: Formatter = (value) => csvField(value === null ? null : String(value));
  switch (type) {
    case DuckDBTypeId.DOUBLE:
      return [ref, (value) => csvField(value === null ? null : formatAthenaDouble(Number(value)))];
    case DuckDBTypeId.FLOAT:
      return [ref, (value) => csvField(value === null ? null : formatAthenaReal(Number(value)))];
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return [`strftime(${ref}::TIMESTAMP, '%Y-%m-%d %H:%M:%S.%g')`, text];
    case DuckDBTypeId.TIMESTAMP_TZ:
      // Athena prints `timestamp with time zone` with its zone; the local engine runs in UTC.
      return [`strftime(timezone('UTC', ${ref}), '%Y-%m-%d %H:%M:%S.%g') || ' UTC'`, text];
    case DuckDBTypeId.VARCHAR:
      return [ref, text];
    default:
      // Integers, decimals (plain digits with their scale, no exponent), booleans (true/false), dates, JSON.
      return [`CAST(${ref} AS VARCHAR)`, text];
  }
}

async function* csvChunks(
  names: readonly string[],
  formatters: readonly Formatter[],
  result: DuckDBResult,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  yield `${names.map(csvField).join(',')}\n`;
  for (;;) {
    signal?.throwIfAborted();
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return;
    const columns = formatters.map((format, index) => chunk.getColumnValues(index).map(format));
    const lines: string[] = new Array(chunk.rowCount);
    for (let row = 0; row < chunk.rowCount; row++) {
      let line = '';
      for (let index = 0; index < columns.length; index++) {
        if (index > 0) line += ',';
        line += columns[index]![row]!;
      }
      lines[row] = line;
    }
    yield `${lines.join('\n')}\n`;
  }
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
