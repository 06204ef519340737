import type { SourceDataProbe } from '../../functions/catch-up/source-data-probe.ts';
import type { TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import type { Hour } from '../../functions/shared/hour.ts';
import { dataFileFormats, hourPartitionDirectory, type LocalLakeLayout } from '../athena/local-lake.ts';

/** The source-data probe on the local lake: the hour's folder holds at least one Parquet or CSV file. */
export class LocalSourceDataProbe implements SourceDataProbe {
  readonly #layout: LocalLakeLayout;

  constructor(layout: LocalLakeLayout) {
    this.#layout = layout;
  }

  async hasData(table: TableSpec, hour: Hour): Promise<boolean> {
    const formats = await dataFileFormats(hourPartitionDirectory(this.#layout, table, hour));
    return formats.parquet || formats.csv;
  }
}
