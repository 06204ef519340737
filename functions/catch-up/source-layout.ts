import { formatHourWithPattern } from '../shared/catalog/athena-query.ts';
import type { TableSpec } from '../shared/catalog/catalog-types.ts';
import type { Hour } from '../shared/hour.ts';

/**
 * The key prefix of one hour of a table's source, relative to the lake root: `<database>/<table>/hour=2026-11-27T10/`
 * or, for Hive-style string partitions, `<database>/<table>/dt=2026-11-27/hr=10/`. The same convention as the local
 * lake (`local/athena/local-lake.ts`), so one layout serves both.
 */
export function sourceHourPrefix(table: TableSpec, hour: Hour): string {
  const partitions = table.source.partitions;
  const hourPath =
    partitions === undefined
      ? `hour=${hour.text}`
      : Object.entries(partitions)
          .map(
            ([column, pattern]) =>
              `${column}=${formatHourWithPattern(hour, pattern, `table '${table.name}' source.partitions.${column}`)}`,
          )
          .join('/');
  return `${table.source.database}/${table.source.table}/${hourPath}/`;
}
