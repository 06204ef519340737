import { readFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { EMR_STEP_COMPLETED_PATTERN } from '../../events/event-patterns.ts';
import type { EventPublisher } from '../../events/event-publisher.ts';
import { createClassifyAthenaErrorFunction } from '../../functions/classify-athena-error/classify-athena-error-function.ts';
import { createPlanImportsFunction } from '../../functions/plan-imports/plan-imports-function.ts';
import { createPrepareImportFunction } from '../../functions/prepare-import/prepare-import-function.ts';
import { createPublishImportEventFunction } from '../../functions/publish-import-event/publish-import-event-function.ts';
import { createRecordImportFailureFunction } from '../../functions/record-import-failure/record-import-failure-function.ts';
import { createS3ImportToAuroraFunction } from '../../functions/s3-import-to-aurora/s3-import-to-aurora-function.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import type { ObjectStore } from '../../functions/shared/ports/object-store.ts';
import type { FunctionDependencies, FunctionLogic } from '../../functions/shared/runtime/function-dependencies.ts';
import { MemoryMetricsSink } from '../../functions/shared/runtime/metrics-sink.ts';
import type { AthenaQueryEngine } from '../athena/athena-port.ts';
import { createAthenaSyncTaskHandler } from '../athena/athena-sync-task.ts';
import { DuckDbAthena } from '../athena/duckdb-athena.ts';
import { LocalEventBridge } from '../eventbridge/event-bus.ts';
import { LocalBusPublisher } from '../eventbridge/local-bus-publisher.ts';
import { functionTarget } from '../eventbridge/targets.ts';
import { FolderObjectStore } from '../s3/folder-object-store.ts';
import {
  type Clock,
  type ExecutionDescription,
  type ExecutionHandle,
  StepFunctionsEngine,
} from '../stepfunctions/index.ts';
import {
  FUNCTION_NAMES,
  IMPORT_EVENT_BUS_NAME,
  IMPORT_STATE_MACHINE_NAME,
  LOCAL_ACCOUNT,
  LOCAL_ATHENA_OUTPUT_LOCATION,
  LOCAL_ATHENA_WORKGROUP,
  LOCAL_REGION,
  localFunctionArn,
  ORCHESTRATOR_STATE_MACHINE_NAME,
} from './local-functions.ts';
import { openDatabase } from './open-database.ts';

const STATE_MACHINES_DIR = new URL('../../infra/state-machines/', import.meta.url);

/** Reads one of the ASL files: the same files CDK deploys. */
export async function readStateMachineDefinition(
  name: 'import-from-s3-to-aurora' | 'orchestrate-aurora-imports',
): Promise<string> {
  return readFile(new URL(`${name}.asl.json`, STATE_MACHINES_DIR), 'utf8');
}

export interface LocalRuntimeOptions {
  /** Holds the embedded database, the bus archive and dead letters. */
  readonly stateDir: string;
  /** PostgreSQL URL; embedded PGlite when absent. Ignored when `database` is given. */
  readonly databaseUrl?: string | undefined;
  /** An open database to use (the caller closes it). */
  readonly database?: AuroraDatabase;
  readonly catalogPath?: string;
  readonly catalog?: Catalog;
  /** The local S3 root: the lake Athena reads and the Athena results. */
  readonly dataDir: string;
  /** Athena engine (the caller closes it); default DuckDB over the local lake, closed by `close()`. */
  readonly athena?: AthenaQueryEngine;
  /** The Athena workgroup and result location (the ASL substitutions); default the local ones. */
  readonly athenaWorkGroup?: string;
  readonly athenaOutputLocation?: string;
  /** Where Athena writes its results and the import reads them; default the local folder (`dataDir`). */
  readonly resultStore?: ObjectStore;
  /** Engine and bus clock. The engine's `VirtualClock` makes Waits and retry intervals instant, yet stands still while task handlers do real work. */
  readonly clock?: Clock;
  /** Light tables imported at once within an hour (the `LightMaxConcurrency` substitution). Default 4. */
  readonly lightMaxConcurrency?: number;
  /** Function configuration (retry policy, slots), as Lambda environment variables. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Persist the bus archive and dead letters under `<stateDir>/bus` (default true). */
  readonly persistBus?: boolean;
  /** Powertools log level of the functions; default SILENT so the CLI's output stays readable. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

/** The whole pipeline on one machine: the same ASL, rules and function logic as in AWS. */
export interface LocalRuntime {
  readonly catalog: Catalog;
  readonly database: AuroraDatabase;
  readonly objectStore: FolderObjectStore;
  readonly bus: LocalEventBridge;
  readonly publisher: EventPublisher;
  readonly engine: StepFunctionsEngine;
  readonly metrics: MemoryMetricsSink;
  readonly importStateMachineArn: string;
  readonly orchestratorArn: string;
  /** Orchestrations started by events on the bus (the EMR rule's target), in start order. */
  readonly triggeredExecutions: readonly ExecutionHandle[];
  /** Starts the orchestrator with explicit input (`run`, `backfill`) and waits for it. */
  runHour(
    request: { hour: string; tables?: readonly string[]; force?: boolean },
    name?: string,
  ): Promise<ExecutionDescription>;
  /** Puts events on the default bus (an EMR event starts the orchestrator through the rule) and waits for deliveries. */
  putEvents(events: readonly Record<string, unknown>[]): Promise<void>;
  /** Waits until every triggered orchestration has ended. */
  settle(): Promise<ExecutionDescription[]>;
  close(): Promise<void>;
}

function asLambda(logic: FunctionLogic) {
  return (payload: unknown, ctx: { signal: AbortSignal }) =>
    logic(payload, { remainingTimeMs: () => Number.POSITIVE_INFINITY, signal: ctx.signal });
}

export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const catalog = options.catalog ?? (await loadCatalog(options.catalogPath ?? ''));
  const ownsDatabase = options.database === undefined;
  const database =
    options.database ?? (await openDatabase({ databaseUrl: options.databaseUrl, stateDir: options.stateDir, catalog }));
  const objectStore = new FolderObjectStore(options.dataDir);
  const clock = options.clock;
  const bus = new LocalEventBridge({
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    ...(clock ? { clock } : {}),
    ...(options.persistBus === false ? {} : { stateDir: options.stateDir }),
  });
  bus.createEventBus(IMPORT_EVENT_BUS_NAME);
  const publisher = new LocalBusPublisher(bus, { eventBusName: IMPORT_EVENT_BUS_NAME });
  const metrics = new MemoryMetricsSink();
  const logger = new Logger({ serviceName: 'aurora-imports', logLevel: options.logLevel ?? 'SILENT' });
  const deps: FunctionDependencies = {
    catalog,
    logger,
    metrics,
    publisher,
    objectStore: options.resultStore ?? objectStore,
    database: async () => database,
    env: options.env ?? {},
  };

  const ownAthena =
    options.athena === undefined ? new DuckDbAthena({ catalog, dataDir: options.dataDir, objectStore }) : undefined;
  const athena = options.athena ?? ownAthena!;
  const outputLocation = options.athenaOutputLocation ?? LOCAL_ATHENA_OUTPUT_LOCATION;
  const athenaTask = createAthenaSyncTaskHandler(athena, { defaultOutputLocation: outputLocation });
  const engine = new StepFunctionsEngine({
    accountId: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  engine.registerLambda(
    localFunctionArn(FUNCTION_NAMES.recordImportFailure),
    asLambda(createRecordImportFailureFunction(deps)),
  );
  engine.registerLambda(localFunctionArn(FUNCTION_NAMES.planImports), asLambda(createPlanImportsFunction(deps)));
  engine.registerLambda(localFunctionArn(FUNCTION_NAMES.prepareImport), asLambda(createPrepareImportFunction(deps)));
  engine.registerLambda(
    localFunctionArn(FUNCTION_NAMES.classifyAthenaError),
    asLambda(createClassifyAthenaErrorFunction(deps)),
  );
  engine.registerLambda(
    localFunctionArn(FUNCTION_NAMES.publishImportEvent),
    asLambda(createPublishImportEventFunction(deps)),
  );
  engine.registerLambda(
    localFunctionArn(FUNCTION_NAMES.s3ImportToAurora),
    asLambda(createS3ImportToAuroraFunction(deps)),
  );
  engine.registerTaskHandler('arn:aws:states:::athena:startQueryExecution.sync', athenaTask);

  const importStateMachineArn = engine.createStateMachine({
    name: IMPORT_STATE_MACHINE_NAME,
    definition: await readStateMachineDefinition('import-from-s3-to-aurora'),
    substitutions: {
      PrepareImportFunctionArn: localFunctionArn(FUNCTION_NAMES.prepareImport),
      ClassifyAthenaErrorFunctionArn: localFunctionArn(FUNCTION_NAMES.classifyAthenaError),
      PublishImportEventFunctionArn: localFunctionArn(FUNCTION_NAMES.publishImportEvent),
      S3ImportToAuroraFunctionArn: localFunctionArn(FUNCTION_NAMES.s3ImportToAurora),
      RecordImportFailureFunctionArn: localFunctionArn(FUNCTION_NAMES.recordImportFailure),
      AthenaWorkGroup: options.athenaWorkGroup ?? LOCAL_ATHENA_WORKGROUP,
      AthenaOutputLocation: outputLocation,
    },
  });
  const orchestratorArn = engine.createStateMachine({
    name: ORCHESTRATOR_STATE_MACHINE_NAME,
    definition: await readStateMachineDefinition('orchestrate-aurora-imports'),
    substitutions: {
      PlanImportsFunctionArn: localFunctionArn(FUNCTION_NAMES.planImports),
      PublishImportEventFunctionArn: localFunctionArn(FUNCTION_NAMES.publishImportEvent),
      ImportStateMachineArn: importStateMachineArn,
      LightMaxConcurrency: options.lightMaxConcurrency ?? 4,
    },
  });

  const triggered: ExecutionHandle[] = [];
  const stepNames = [...new Set(catalog.tables.map((table) => table.producedBy))];
  // The EMR rule on the default bus, as CDK deploys it: COMPLETED steps start the orchestrator.
  bus.putRule({ name: 'emr-step-completed-to-orchestrator', eventPattern: EMR_STEP_COMPLETED_PATTERN(stepNames) });
  bus.putTargets('emr-step-completed-to-orchestrator', [
    {
      id: 'orchestrator',
      arn: orchestratorArn,
      target: functionTarget(async (event) => {
        triggered.push(engine.startExecution({ stateMachineArn: orchestratorArn, input: event }));
      }),
    },
  ]);

  return {
    catalog,
    database,
    objectStore,
    bus,
    publisher,
    engine,
    metrics,
    importStateMachineArn,
    orchestratorArn,
    triggeredExecutions: triggered,
    async runHour(request, name) {
      const execution = engine.startExecution({
        stateMachineArn: orchestratorArn,
        ...(name ? { name } : {}),
        input: {
          hour: request.hour,
          ...(request.tables ? { tables: request.tables } : {}),
          force: request.force === true,
        },
      });
      const result = await execution.done;
      await bus.idle();
      return result;
    },
    async putEvents(events) {
      const result = await bus.putEvents(
        events.map((event) => ({
          Source: String(event.source),
          DetailType: String(event['detail-type']),
          Detail: JSON.stringify(event.detail),
          ...(event.time ? { Time: new Date(String(event.time)) } : {}),
          ...(Array.isArray(event.resources) ? { Resources: event.resources as string[] } : {}),
        })),
      );
      if (result.FailedEntryCount > 0) throw new Error(`the bus refused events: ${JSON.stringify(result.Entries)}`);
      await bus.idle();
    },
    async settle() {
      const results = await Promise.all(triggered.map((execution) => execution.done));
      await bus.idle();
      return results;
    },
    async close() {
      await Promise.all(triggered.map((execution) => execution.done));
      await bus.idle();
      await ownAthena?.close();
      if (ownsDatabase) await database.close();
    },
  };
}
