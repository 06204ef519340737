import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Catalog, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import type { Hour } from '../../functions/shared/hour.ts';
import { hourPartitionDirectory } from '../../local/athena/local-lake.ts';

/** The shipped demo catalog, read through the validating loader. */
export const DEMO_CATALOG: Catalog = await loadCatalog(
  fileURLToPath(new URL('../../functions/shared/catalog/demo-catalog.json', import.meta.url)),
);

export function demoTable(name: string): TableSpec {
  const table = DEMO_CATALOG.tables.find((candidate) => candidate.name === name);
  if (!table) throw new Error(`no demo table ${name}`);
  return table;
}

export async function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

/** A small table with every awkward value the CSV must get right. */
export const AWKWARD_TABLE: TableSpec = {
  name: 'awkward_values',
  source: { database: 'aggregations', table: 'awkward_values' },
  partitionColumn: 'hour',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'hour', type: 'timestamptz' },
    { name: 'label', type: 'text', nullable: true },
    { name: 'amount', type: 'numeric', precision: 12, scale: 4 },
    { name: 'ratio', type: 'double' },
    { name: 'score', type: 'real', nullable: true },
    { name: 'flag', type: 'boolean' },
    { name: 'seen_at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'payload', type: 'jsonb', nullable: true },
    { name: 'big', type: 'bigint' },
    { name: 'tiny', type: 'smallint' },
  ],
  primaryKey: ['id', 'hour'],
  weight: 'light',
  mode: 'upsert',
  producedBy: 'hourly-aggregations',
};

/** The rows of AWKWARD_TABLE for 2026-11-27T10 as DuckDB SQL VALUES, and one row of the hour before. */
export const AWKWARD_ROWS_SQL = `
SELECT * FROM (VALUES
  (1, TIMESTAMP '2026-11-27 10:00:00', NULL, 12.5, 0.1, 1.5, true, TIMESTAMP '2026-11-27 09:59:58.123', DATE '2026-11-27', '{"a":1}', 9007199254740993, -32768),
  (2, TIMESTAMP '2026-11-27 10:00:00', '', -0.0001, 10000000.0, 0.1, false, TIMESTAMP '2026-11-27 00:00:00', DATE '2026-01-05', NULL, -1, 0),
  (3, TIMESTAMP '2026-11-27 10:00:00', 'say "hi", then' || chr(10) || 'bye ☃ 東京', 123456.789, 2.0, NULL, true, TIMESTAMP '2026-11-26 23:30:00.5', DATE '2026-11-26', '{"q":"a \\"b\\", c","n":[1,2.5,null]}', 0, 7),
  (4, TIMESTAMP '2026-11-27 10:00:00', '"', 0, 0.00012, 3.25, false, TIMESTAMP '2026-11-27 10:00:00', DATE '2026-11-27', '{}', 42, 1),
  (9, TIMESTAMP '2026-11-27 09:00:00', 'other hour', 1, 1.0, 1, true, TIMESTAMP '2026-11-27 09:00:00', DATE '2026-11-27', NULL, 1, 1)
) AS t(id, hour, label, amount, ratio, score, flag, seen_at, day, payload, big, tiny)`;

/** The exact bytes Athena writes for AWKWARD_TABLE at 2026-11-27T10 (ordered by id). */
export const AWKWARD_CSV = [
  '"id","hour","label","amount","ratio","score","flag","seen_at","day","payload","big","tiny"',
  '"1","2026-11-27 10:00:00.000",,"12.5000","0.1","1.5","true","2026-11-27 09:59:58.123","2026-11-27","{""a"":1}","9007199254740993","-32768"',
  '"2","2026-11-27 10:00:00.000","","-0.0001","1.0E7","0.1","false","2026-11-27 00:00:00.000","2026-01-05",,"-1","0"',
  '"3","2026-11-27 10:00:00.000","say ""hi"", then\nbye ☃ 東京","123456.7890","2.0",,"true","2026-11-26 23:30:00.500","2026-11-26","{""q"":""a \\""b\\"", c"",""n"":[1,2.5,null]}","0","7"',
  '"4","2026-11-27 10:00:00.000","""","0.0000","1.2E-4","3.25","false","2026-11-27 10:00:00.000","2026-11-27","{}","42","1"',
  '',
].join('\n');

/**
 * Writes AWKWARD_TABLE's files: one Parquet file per hour folder, typed as the Glue table would be. The rows are
 * split by hour so the 09 row lives in its own partition.
 */
export async function writeAwkwardTable(
  instance: DuckDBInstance,
  dataDir: string,
  hours: readonly Hour[],
  table: TableSpec = AWKWARD_TABLE,
): Promise<void> {
  const connection = await instance.connect();
  try {
    for (const hour of hours) {
      const directory = hourPartitionDirectory({ dataDir }, table, hour);
      await mkdir(directory, { recursive: true });
      await connection.run(`COPY (
        SELECT id::INTEGER AS id, hour::TIMESTAMP AS hour, label::VARCHAR AS label, amount::DECIMAL(12,4) AS amount,
               ratio::DOUBLE AS ratio, score::FLOAT AS score, flag::BOOLEAN AS flag, seen_at::TIMESTAMP AS seen_at,
               day::DATE AS day, payload::VARCHAR AS payload, big::BIGINT AS big, tiny::SMALLINT AS tiny
        FROM (${AWKWARD_ROWS_SQL}) WHERE strftime(hour, '%Y-%m-%dT%H') = '${hour.text}' ORDER BY id
      ) TO '${join(directory, 'part-0.parquet')}' (FORMAT parquet)`);
    }
  } finally {
    connection.closeSync();
  }
}

/** Counts CSV records (a newline inside quotes does not end one), header included. */
export function countCsvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (char === '\n' && !quoted) records++;
  }
  return records;
}
