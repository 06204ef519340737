import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { findTable, loadCatalog, parseCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { CatalogError, UnknownTableError } from '../../functions/shared/errors.ts';
import { DEMO_CATALOG_PATH } from '../../local/cli/common-options.ts';

function validTable(): Record<string, unknown> {
  return {
    name: 'show_plays_hourly',
    source: { database: 'aggregations', table: 'show_plays_hourly' },
    partitionColumn: 'hour',
    columns: [
      { name: 'show_id', type: 'bigint' },
      { name: 'hour', type: 'timestamptz' },
      { name: 'plays', type: 'bigint' },
      { name: 'note', type: 'text', nullable: true },
    ],
    primaryKey: ['show_id', 'hour'],
    weight: 'heavy',
    mode: 'upsert',
    producedBy: 'hourly-aggregations',
  };
}

/** Parses a catalog holding one table changed by `change`; returns the error it throws. */
function errorFor(change: (table: Record<string, unknown>) => void): CatalogError {
  const table = validTable();
  change(table);
  try {
    parseCatalog({ tables: [table] }, 'cat.json');
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return error as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('loadCatalog', () => {
  it('loads the shipped demo catalog: 6 tables, 2 heavy', async () => {
    const catalog = await loadCatalog(DEMO_CATALOG_PATH);
    expect(catalog.tables).toHaveLength(6);
    expect(catalog.tables.filter((table) => table.weight === 'heavy')).toHaveLength(2);
  });

  it('names the file when it is not JSON or is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "tables": [');
    await expect(loadCatalog(path)).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadCatalog(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read the catalog/);
  });
});

describe('parseCatalog', () => {
  it('accepts a valid catalog and returns it', () => {
    const catalog = parseCatalog({ tables: [validTable()] }, 'cat.json');
    expect(catalog.tables[0]?.name).toBe('show_plays_hourly');
  });

  it('rejects an unknown column type, naming file, table, column and the known types', () => {
    const error = errorFor((table) => {
      (table.columns as { type: string }[])[2]!.type = 'bigintt';
    });
    expect(error.message).toMatch(/^cat\.json, table 'show_plays_hourly', field 'columns\.plays\.type': unknown type/);
    expect(error.message).toContain('timestamptz');
    expect([error.file, error.table, error.field]).toEqual(['cat.json', 'show_plays_hourly', 'columns.plays.type']);
  });

  it('rejects a primary key column that is not a column', () => {
    const error = errorFor((table) => {
      table.primaryKey = ['show_id', 'hour', 'country'];
    });
    expect(error.message).toContain("field 'primaryKey'");
    expect(error.message).toContain("key column 'country' is not among the columns");
  });

  it('rejects a missing partition column and one outside the key', () => {
    expect(
      errorFor((table) => {
        table.partitionColumn = 'hr';
      }).message,
    ).toMatch(/field 'partitionColumn': partition column 'hr' is not among the columns/);
    expect(
      errorFor((table) => {
        table.primaryKey = ['show_id'];
      }).message,
    ).toMatch(/partition column 'hour' must be part of the primary key/);
  });

  it('rejects a partition column that cannot hold an hour', () => {
    const error = errorFor((table) => {
      (table.columns as { name: string; type: string }[])[1]!.type = 'text';
    });
    expect(error.message).toMatch(/must be timestamptz or timestamp, not text/);
  });

  it('rejects duplicate column names and duplicate table names', () => {
    expect(
      errorFor((table) => {
        (table.columns as unknown[]).push({ name: 'plays', type: 'integer' });
      }).message,
    ).toMatch(/field 'columns\.plays': duplicate column name/);
    expect(() => parseCatalog({ tables: [validTable(), validTable()] }, 'cat.json')).toThrow(
      /table 'show_plays_hourly', field 'name': duplicate table name/,
    );
  });

  it('rejects identifiers that could carry SQL, in every place they reach SQL', () => {
    expect(
      errorFor((table) => {
        table.name = 'plays; drop table x';
      }).message,
    ).toMatch(/field 'name': identifier does not match/);
    expect(
      errorFor((table) => {
        (table.columns as { name: string }[])[3]!.name = 'Note';
      }).message,
    ).toMatch(/field 'columns\.Note\.name': identifier does not match/);
    expect(
      errorFor((table) => {
        table.primaryKey = ['show_id', 'hour"--'];
      }).message,
    ).toMatch(/field 'primaryKey\[1\]': identifier does not match/);
    expect(
      errorFor((table) => {
        table.name = 'a'.repeat(64);
      }).message,
    ).toMatch(/at most 63 characters/);
  });

  it('rejects a bad weight or mode, listing the allowed values', () => {
    expect(
      errorFor((table) => {
        table.weight = 'medium';
      }).message,
    ).toMatch(/field 'weight': invalid value; expected one of heavy, light/);
    expect(
      errorFor((table) => {
        table.mode = 'merge';
      }).message,
    ).toMatch(/field 'mode': invalid value; expected one of upsert, replace-partition/);
  });

  it('rejects unknown and missing fields, nullable keys, bad numeric scale', () => {
    expect(
      errorFor((table) => {
        table.primaryKeys = ['show_id'];
      }).message,
    ).toMatch(/field 'primaryKeys': unknown field/);
    expect(
      errorFor((table) => {
        delete table.producedBy;
      }).message,
    ).toMatch(/field 'producedBy': missing required field/);
    expect(
      errorFor((table) => {
        (table.columns as { nullable?: boolean }[])[0]!.nullable = true;
      }).message,
    ).toMatch(/field 'columns\.show_id\.nullable': a key column cannot be nullable/);
    expect(
      errorFor((table) => {
        (table.columns as unknown[]).push({ name: 'spend', type: 'numeric', precision: 4, scale: 6 });
      }).message,
    ).toMatch(/scale 6 exceeds precision 4/);
  });
});

describe('findTable', () => {
  const catalog: Catalog = parseCatalog({ tables: [validTable()] }, 'cat.json');

  it('finds a table by name', () => {
    expect(findTable(catalog, 'show_plays_hourly').primaryKey).toEqual(['show_id', 'hour']);
  });

  it('throws UnknownTableError naming the table and the known ones', () => {
    expect(() => findTable(catalog, 'nope')).toThrow(UnknownTableError);
    expect(() => findTable(catalog, 'nope')).toThrow("unknown table 'nope'; the catalog has: show_plays_hourly");
  });
});
