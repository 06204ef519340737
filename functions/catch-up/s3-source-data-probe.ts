import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TableSpec } from '../shared/catalog/catalog-types.ts';
import type { Hour } from '../shared/hour.ts';
import type { SourceDataProbe } from './source-data-probe.ts';
import { sourceHourPrefix } from './source-layout.ts';

export interface S3SourceDataProbeOptions {
  readonly bucket: string;
  /** Key prefix of the lake inside the bucket (`SOURCE_DATA_PREFIX`), e.g. `lake/`; default none. */
  readonly prefix?: string;
  readonly client?: S3Client;
}

/** Data files only: EMR/Spark also writes markers such as `_SUCCESS` and `$folder$` objects that hold no rows. */
function isDataKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name !== '' && !name.startsWith('_') && !name.startsWith('.') && !name.endsWith('$folder$');
}

/** The source-data probe on S3: one ListObjectsV2 under the hour's prefix (paged only while it sees markers). */
export class S3SourceDataProbe implements SourceDataProbe {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3SourceDataProbeOptions) {
    this.#client = options.client ?? new S3Client({});
    this.#bucket = options.bucket;
    const prefix = options.prefix ?? '';
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  /** The S3 prefix probed for a table-hour (for reports and tests). */
  prefixOf(table: TableSpec, hour: Hour): string {
    return `${this.#prefix}${sourceHourPrefix(table, hour)}`;
  }

  async hasData(table: TableSpec, hour: Hour): Promise<boolean> {
    const prefix = this.prefixOf(table, hour);
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          MaxKeys: 100,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      if ((page.Contents ?? []).some((object) => object.Key !== undefined && isDataKey(object.Key))) return true;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return false;
  }
}
