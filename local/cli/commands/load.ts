import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importResult } from '../../../functions/s3-import-to-aurora/import-result.ts';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import type { ObjectBody, ObjectLocation, ObjectStore } from '../../../functions/shared/ports/object-store.ts';
import { ObjectNotFoundError } from '../../../functions/shared/ports/object-store-errors.ts';
import { openDatabase } from '../../runtime/open-database.ts';
import { type Command, UsageError } from '../command.ts';
import { COMMON_OPTION_SPECS, resolveCommonOptions } from '../common-options.ts';

const LOCAL_BUCKET = 'local-file';

/** Exposes one file as the object `s3://local-file/<name>`: the import core reads it like an Athena result. */
class SingleFileObjectStore implements ObjectStore {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async getObject(location: ObjectLocation): Promise<ObjectBody> {
    const info = await stat(this.#path).catch(() => undefined);
    if (!info?.isFile()) throw new ObjectNotFoundError(location);
    return { body: createReadStream(this.#path, { highWaterMark: 256 * 1024 }), size: info.size };
  }

  async putObject(): Promise<void> {
    throw new Error('the load command only reads its CSV file');
  }

  async exists(): Promise<boolean> {
    return (await stat(this.#path).catch(() => undefined))?.isFile() ?? false;
  }

  async listKeys(): Promise<string[]> {
    return [];
  }
}

export default {
  name: 'load',
  summary: 'Load one Athena-format CSV into its table through the import core',
  usage: [
    'Usage: aurora-imports load --table T --partition H --csv FILE [--force]',
    '                           [--database-url URL] [--state-dir DIR] [--catalog FILE]',
    '',
    'Streams FILE (an Athena result CSV: quoted header, NULL = empty unquoted field) into the table for hour H',
    '(2026-11-27T10, UTC) in one transaction: COPY into staging, hour and key checks, merge, ledger row.',
    '  --force   import even if the ledger already has a succeeded manual load of this table and hour',
  ].join('\n'),
  async run(argv, io) {
    let values: Record<string, unknown>;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          ...COMMON_OPTION_SPECS,
          table: { type: 'string' },
          partition: { type: 'string' },
          csv: { type: 'string' },
          force: { type: 'boolean', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const table = values.table;
    const partition = values.partition;
    const csv = values.csv;
    if (typeof table !== 'string' || typeof partition !== 'string' || typeof csv !== 'string')
      throw new UsageError('--table, --partition and --csv are required (see --help)');
    const options = resolveCommonOptions(values, io);
    const csvPath = resolve(io.cwd, csv);
    const catalog = await loadCatalog(options.catalogPath);
    const database = await openDatabase({ databaseUrl: options.databaseUrl, stateDir: options.stateDir, catalog });
    try {
      const summary = await importResult({
        catalog,
        database,
        objectStore: new SingleFileObjectStore(csvPath),
        table,
        hour: partition,
        resultLocation: { bucket: LOCAL_BUCKET, key: csvPath.replace(/^\/+/, '') },
        queryExecutionId: `manual-${Date.now()}`,
        source: 'manual',
        force: values.force === true,
      });
      io.stdout.write(
        `${summary.status} ${summary.table} ${summary.hour}: inserted ${summary.rowsInserted}, updated ${summary.rowsUpdated}, deleted ${summary.rowsDeleted}, ${summary.bytes} bytes in ${summary.durationMs} ms\n`,
      );
      if (summary.status === 'skipped')
        io.stderr.write(
          `the ledger already has a succeeded manual load of ${summary.table} ${summary.hour}; --force loads it again\n`,
        );
      return 0;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      io.stderr.write(`aurora-imports load: ${err.name}: ${err.message}\n`);
      return 1;
    } finally {
      await database.close();
    }
  },
} satisfies Command;
