import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../events/eventbridge-publisher.ts';
import type { AuroraDatabase } from '../aurora/aurora-database.ts';
import { type DatabaseSecret, databaseLocationFromEnv, poolConfigFromSecret } from '../aurora/database-config.ts';
import { migrate } from '../aurora/migrate.ts';
import { createPostgresDatabase } from '../aurora/postgres-database.ts';
import { S3ObjectStore } from '../aws/s3-object-store.ts';
import type { Catalog } from '../catalog/catalog-types.ts';
import demoCatalogJson from '../catalog/demo-catalog.json' with { type: 'json' };
import { loadCatalog, parseCatalog } from '../catalog/load-catalog.ts';
import type { FunctionDependencies } from './function-dependencies.ts';
import { PowertoolsMetricsSink } from './metrics-sink.ts';

/**
 * The catalog a Lambda uses: `CATALOG_PATH` when set, else the demo catalog bundled into the function (esbuild
 * inlines the JSON import, so no file has to ship beside the bundle).
 */
export async function catalogFromEnv(env: NodeJS.ProcessEnv): Promise<Catalog> {
  return env.CATALOG_PATH
    ? loadCatalog(env.CATALOG_PATH)
    : parseCatalog(demoCatalogJson, 'demo-catalog.json (bundled)');
}

/** Aurora from `DATABASE_URL` or the `DB_SECRET_ARN` secret (cached 5 minutes by Powertools Parameters). */
export async function databaseFromEnv(env: NodeJS.ProcessEnv, catalog: Catalog): Promise<AuroraDatabase> {
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
  return database;
}

/**
 * Builds the dependencies of every Lambda from its environment, once per instance: Powertools Logger and Metrics
 * (service name, namespace and level from the POWERTOOLS_* variables), the EventBridge publisher on
 * `EVENT_BUS_NAME`, S3, and Aurora opened on first use. A failed database open is retried on the next use.
 */
export async function awsDependencies(env: NodeJS.ProcessEnv = process.env): Promise<FunctionDependencies> {
  const catalog = await catalogFromEnv(env);
  const eventBusName = env.EVENT_BUS_NAME;
  let database: Promise<AuroraDatabase> | undefined;
  return {
    catalog,
    // Read from the given environment (not only process.env), so a test or a local run configures them the same way.
    logger: new Logger({
      ...(env.POWERTOOLS_SERVICE_NAME ? { serviceName: env.POWERTOOLS_SERVICE_NAME } : {}),
      ...(env.POWERTOOLS_LOG_LEVEL ? { logLevel: env.POWERTOOLS_LOG_LEVEL as LogLevel } : {}),
    }),
    metrics: new PowertoolsMetricsSink(
      new Metrics({
        ...(env.POWERTOOLS_SERVICE_NAME ? { serviceName: env.POWERTOOLS_SERVICE_NAME } : {}),
        ...(env.POWERTOOLS_METRICS_NAMESPACE ? { namespace: env.POWERTOOLS_METRICS_NAMESPACE } : {}),
      }),
    ),
    publisher: new EventBridgePublisher({
      client: new EventBridgeClient({}),
      ...(eventBusName ? { eventBusName } : {}),
    }),
    objectStore: new S3ObjectStore(),
    database: () => {
      database ??= databaseFromEnv(env, catalog).catch((error: unknown) => {
        database = undefined;
        throw error;
      });
      return database;
    },
    env,
  };
}
