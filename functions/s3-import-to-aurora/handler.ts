import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Context } from 'aws-lambda';
import type { AuroraDatabase } from '../shared/aurora/aurora-database.ts';
import { migrate } from '../shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../shared/aurora/postgres-database.ts';
import { S3ObjectStore } from '../shared/aws/s3-object-store.ts';
import type { Catalog } from '../shared/catalog/catalog-types.ts';
import { loadCatalog } from '../shared/catalog/load-catalog.ts';
import type { ObjectStore } from '../shared/ports/object-store.ts';
import { type MetricsSink, PowertoolsMetricsSink } from '../shared/runtime/metrics-sink.ts';
import { type DatabaseSecret, databaseLocationFromEnv, poolConfigFromSecret } from './database-config.ts';
import type { ImportSummary } from './import-result.ts';
import { createS3ImportToAuroraFunction } from './s3-import-to-aurora-function.ts';

/** What the handler builds once per Lambda instance and reuses across invocations. */
export interface HandlerResources {
  readonly catalog: Catalog;
  readonly database: AuroraDatabase;
  readonly objectStore: ObjectStore;
}

export interface HandlerTools {
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  /** Builds the resources on first use; a failed cold start is retried on the next invocation. */
  readonly resources: () => Promise<HandlerResources>;
}

/** A thin Lambda shell over the function logic: context into the logger, metrics flushed after every invocation. */
export function createHandler(tools: HandlerTools) {
  let resources: Promise<HandlerResources> | undefined;
  const load = () => {
    resources ??= tools.resources().catch((error: unknown) => {
      resources = undefined;
      throw error;
    });
    return resources;
  };
  return async (input: unknown, context: Context): Promise<ImportSummary> => {
    tools.logger.addContext(context);
    try {
      const { catalog, objectStore } = await load();
      const run = createS3ImportToAuroraFunction({
        catalog,
        objectStore,
        logger: tools.logger,
        metrics: tools.metrics,
        database: async () => (await load()).database,
      });
      return await run(input, { remainingTimeMs: () => context.getRemainingTimeInMillis() });
    } finally {
      tools.metrics.flush();
    }
  };
}

const BUNDLED_CATALOG_PATH = fileURLToPath(new URL('../shared/catalog/demo-catalog.json', import.meta.url));

/**
 * Production resources from the environment: `CATALOG_PATH` (default: the bundled demo catalog), and `DATABASE_URL`
 * or `DB_SECRET_ARN` (the Aurora secret, read through Powertools Parameters and cached for 5 minutes).
 */
export async function resourcesFromEnv(env: NodeJS.ProcessEnv): Promise<HandlerResources> {
  const catalog = await loadCatalog(env.CATALOG_PATH || BUNDLED_CATALOG_PATH);
  const location = databaseLocationFromEnv(env);
  const database =
    location.kind === 'url'
      ? createPostgresDatabase({ connectionString: location.connectionString })
      : createPostgresDatabase({
          config: poolConfigFromSecret(
            (await getSecret<DatabaseSecret>(location.secretArn, { transform: 'json', maxAge: 300 })) as DatabaseSecret,
            env,
          ),
        });
  // Cold start only: creates missing tables and the ledger (idempotent, serialized by an advisory lock).
  await migrate(database, catalog);
  return { catalog, database, objectStore: new S3ObjectStore() };
}

/** The Lambda entry point (`handler` in the bundle). */
export const handler = createHandler({
  logger: new Logger(),
  metrics: new PowertoolsMetricsSink(new Metrics()),
  resources: () => resourcesFromEnv(process.env),
});
