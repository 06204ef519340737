import { type Kysely, type RawBuilder, sql } from 'kysely';
import { STAGING_TABLE } from '../shared/aurora/table-ddl.ts';
import type { TableSpec } from '../shared/catalog/catalog-types.ts';
import { type DynamicTargetDatabase, postgresType } from '../shared/catalog/kysely-types.ts';
import { type Hour, hourTimestampText } from '../shared/hour.ts';

/**
 * The statements of one import, built by Kysely from a validated `TableSpec` (its identifiers matched
 * `IDENTIFIER_PATTERN`, so they are safe as SQL identifiers). They only ever aggregate in SQL: no row of the data
 * travels back to JavaScript, except the one offending key of a failed check.
 */
type TargetDb = Kysely<DynamicTargetDatabase>;

/** Key columns → values of one row as PostgreSQL prints them (same text on every backend). */
export type KeyValues = Record<string, string>;

/** The key columns, each selected as text under its own name. */
function keyAsText(table: TableSpec) {
  return table.primaryKey.map((column) => sql<string>`${sql.ref(column)}::text`.as(column));
}

/** The hour as a value of the partition column's type (the transaction runs with TimeZone UTC). */
function hourValue(table: TableSpec, hour: Hour): RawBuilder<unknown> {
  const column = table.columns.find((candidate) => candidate.name === table.partitionColumn)!;
  const text = column.type === 'timestamptz' ? `${hourTimestampText(hour)}+00` : hourTimestampText(hour);
  return sql`cast(${text} as ${sql.raw(postgresType(column))})`;
}

function refs(qualifier: string, columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.ref(`${qualifier}.${column}`)));
}

/** The first staged row whose partition column is not the hour, or undefined. */
export async function findRowOutsideHour(db: TargetDb, table: TableSpec, hour: Hour): Promise<KeyValues | undefined> {
  return db
    .selectFrom(STAGING_TABLE)
    .select(keyAsText(table))
    .where(sql<boolean>`${sql.ref(table.partitionColumn)} is distinct from ${hourValue(table, hour)}`)
    .limit(1)
    .executeTakeFirst();
}

/** The first primary key that appears more than once in staging, with its count, or undefined. */
export async function findDuplicateKey(
  db: TargetDb,
  table: TableSpec,
): Promise<{ key: KeyValues; count: number } | undefined> {
  const row = await db
    .selectFrom(STAGING_TABLE)
    .select(keyAsText(table))
    .select(sql<number>`count(*)::int`.as('import_duplicate_count'))
    .groupBy([...table.primaryKey])
    .having(sql`count(*)`, '>', 1)
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const { import_duplicate_count: count, ...key } = row;
  return { key, count: Number(count) };
}

/**
 * Merges staging into the target: new keys are inserted; existing keys are updated only when some column differs
 * (`IS DISTINCT FROM`, so NULLs compare as values and an unchanged re-import writes nothing). Counts come from
 * `RETURNING (xmax = 0)`, aggregated in SQL.
 */
export async function mergeStaging(db: TargetDb, table: TableSpec): Promise<{ inserted: number; updated: number }> {
  const columns = table.columns.map((column) => column.name);
  const valueColumns = columns.filter((column) => !table.primaryKey.includes(column));
  const row = await db
    .with('merged', (qb) =>
      qb
        .insertInto(table.name)
        .columns(columns)
        .expression(qb.selectFrom(STAGING_TABLE).select(columns))
        .onConflict((conflict) => {
          const onKey = conflict.columns([...table.primaryKey]);
          if (valueColumns.length === 0) return onKey.doNothing();
          return onKey
            .doUpdateSet(Object.fromEntries(valueColumns.map((column) => [column, sql.ref(`excluded.${column}`)])))
            .where(
              sql<boolean>`(${refs(table.name, valueColumns)}) is distinct from (${refs('excluded', valueColumns)})`,
            );
        })
        .returning(sql<boolean>`(xmax = 0)`.as('inserted')),
    )
    .selectFrom('merged')
    .select([
      sql<number>`(count(*) filter (where inserted))::int`.as('inserted'),
      sql<number>`(count(*) filter (where not inserted))::int`.as('updated'),
    ])
    .executeTakeFirstOrThrow();
  return { inserted: Number(row.inserted), updated: Number(row.updated) };
}

/** `replace-partition`: deletes the hour's target rows whose key is not in staging; returns how many. */
export async function deleteAbsentRows(db: TargetDb, table: TableSpec, hour: Hour): Promise<number> {
  const result = await db
    .deleteFrom(table.name)
    .where(sql.ref(`${table.name}.${table.partitionColumn}`), '=', hourValue(table, hour))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom(STAGING_TABLE)
            .select(sql`1`.as('one'))
            .where(sql<boolean>`(${refs(STAGING_TABLE, table.primaryKey)}) = (${refs(table.name, table.primaryKey)})`),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
