import type { TableSpec } from '../shared/catalog/catalog-types.ts';
import type { Hour } from '../shared/hour.ts';

/**
 * Whether the EMR output (the Athena source) of a table-hour exists. The catch-up only starts imports whose data is
 * there: an absent hour would import an empty result and record it as done.
 */
export interface SourceDataProbe {
  hasData(table: TableSpec, hour: Hour): Promise<boolean>;
}
