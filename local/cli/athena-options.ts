import { AthenaClient } from '@aws-sdk/client-athena';
import { S3ObjectStore } from '../../functions/shared/aws/s3-object-store.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import type { ObjectStore } from '../../functions/shared/ports/object-store.ts';
import type { AthenaQueryEngine } from '../athena/athena-port.ts';
import { AwsAthena } from '../athena/aws-athena.ts';
import { DuckDbAthena } from '../athena/duckdb-athena.ts';
import { parseFaultSpec, withFaults } from '../athena/fault-injection.ts';
import { LOCAL_ATHENA_OUTPUT_LOCATION, LOCAL_ATHENA_WORKGROUP } from '../runtime/local-functions.ts';
import { FolderObjectStore } from '../s3/folder-object-store.ts';
import { UsageError } from './command.ts';

/** The parseArgs specs of the Athena options shared by `demo`, `run` and `backfill`. */
export const ATHENA_OPTION_SPECS = {
  athena: { type: 'string' },
  workgroup: { type: 'string' },
  'athena-output': { type: 'string' },
  'athena-faults': { type: 'string' },
} as const;

export const ATHENA_OPTIONS_USAGE = `Athena options:
  --athena duckdb|aws   duckdb (default): DuckDB over the local lake in --data-dir; aws: the catalog's real queries
                        on Amazon Athena (ambient AWS credentials), results read from S3, the rest stays local
  --workgroup W         with --athena aws: the Athena workgroup (default primary)
  --athena-output URI   with --athena aws: the s3:// result location (required)
  --athena-faults SPEC  make the next queries fail, e.g. '2:Athena.TooManyRequestsException:Rate exceeded' (see
                        local/athena/fault-injection.ts), to watch the cause-aware retry loop`;

/** Which Athena a local run uses, and where the import reads its results. */
export interface AthenaSetup {
  readonly kind: 'duckdb' | 'aws';
  readonly athena: AthenaQueryEngine;
  readonly workGroup: string;
  readonly outputLocation: string;
  /** Where Athena writes results: the local folder, or S3. */
  readonly resultStore: ObjectStore;
  close(): Promise<void>;
}

/** Builds the Athena of a local run from the command's options. */
export function athenaFromOptions(
  values: Readonly<Record<string, unknown>>,
  context: { readonly catalog: Catalog; readonly dataDir: string },
): AthenaSetup {
  const text = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  const kind = text('athena') ?? 'duckdb';
  const faults = text('athena-faults');
  const inject = (engine: AthenaQueryEngine) => {
    if (!faults) return engine;
    try {
      return withFaults(engine, parseFaultSpec(faults));
    } catch (error) {
      throw new UsageError(`--athena-faults: ${(error as Error).message}`);
    }
  };
  if (kind === 'duckdb') {
    if (text('workgroup') || text('athena-output'))
      throw new UsageError('--workgroup and --athena-output go with --athena aws');
    const duck = new DuckDbAthena({ catalog: context.catalog, dataDir: context.dataDir });
    return {
      kind,
      athena: inject(duck),
      workGroup: LOCAL_ATHENA_WORKGROUP,
      outputLocation: LOCAL_ATHENA_OUTPUT_LOCATION,
      resultStore: new FolderObjectStore(context.dataDir),
      close: () => duck.close(),
    };
  }
  if (kind === 'aws') {
    const outputLocation = text('athena-output');
    if (!outputLocation?.startsWith('s3://'))
      throw new UsageError('--athena aws needs --athena-output s3://bucket/prefix/');
    return {
      kind,
      athena: inject(new AwsAthena({ client: new AthenaClient({}) })),
      workGroup: text('workgroup') ?? 'primary',
      outputLocation,
      resultStore: new S3ObjectStore(),
      close: async () => {},
    };
  }
  throw new UsageError(`--athena must be duckdb or aws, got '${kind}'`);
}
