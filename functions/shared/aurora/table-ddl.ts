import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { TableSpec } from '../catalog/catalog-types.ts';
import { postgresType } from '../catalog/kysely-types.ts';

/** Adds the catalog's columns (types, NOT NULL unless nullable) to a CREATE TABLE. */
function withColumns<N extends string>(
  builder: CreateTableBuilder<N, never>,
  table: TableSpec,
): CreateTableBuilder<N, string> {
  let result = builder as CreateTableBuilder<N, string>;
  for (const column of table.columns) {
    result = result.addColumn(column.name, sql.raw(postgresType(column)), (col) =>
      column.nullable ? col : col.notNull(),
    );
  }
  return result;
}

/** `CREATE TABLE IF NOT EXISTS <target>` with the catalog's columns and primary key. */
export async function createTargetTable(db: Kysely<unknown>, table: TableSpec): Promise<void> {
  await withColumns(db.schema.createTable(table.name).ifNotExists(), table)
    .addPrimaryKeyConstraint(`pk_${table.name}`.slice(0, 63), [...table.primaryKey])
    .execute();
}

/** The staging table's name: temporary, so it lives in the importing session only. */
export const STAGING_TABLE = 'import_staging';

/**
 * The staging table for one import: the target's columns and NOT NULL constraints (so COPY names a NULL in a wrong
 * place), no key (duplicates are found by a query that names them), dropped at commit or rollback.
 */
export async function createStagingTable(db: Kysely<unknown>, table: TableSpec): Promise<void> {
  await withColumns(db.schema.createTable(STAGING_TABLE).temporary().onCommit('drop'), table).execute();
}
