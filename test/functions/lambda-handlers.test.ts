import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClassifyAthenaErrorFunction } from '../../functions/classify-athena-error/classify-athena-error-function.ts';
import { createPlanImportsFunction } from '../../functions/plan-imports/plan-imports-function.ts';
import { createPrepareImportFunction } from '../../functions/prepare-import/prepare-import-function.ts';
import { awsDependencies } from '../../functions/shared/runtime/aws-dependencies.ts';
import { createLambdaHandler } from '../../functions/shared/runtime/lambda-handler.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const eventBridge = mockClient(EventBridgeClient);
const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let testDatabase: TestDatabase;
const env = (): NodeJS.ProcessEnv => ({
  EVENT_BUS_NAME: 'aurora-imports',
  DATABASE_URL: testDatabase.url,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_NAMESPACE: 'AuroraImports',
  POWERTOOLS_SERVICE_NAME: 'aurora-imports',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

beforeAll(async () => {
  testDatabase = await createTestDatabase();
});
afterAll(async () => {
  await testDatabase?.drop();
});
afterEach(() => eventBridge.reset());

describe('the Lambda handlers over the AWS dependencies', () => {
  it('classify-athena-error publishes Import Retrying with PutEvents on the configured bus', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const handler = createLambdaHandler(() => awsDependencies(env()), createClassifyAthenaErrorFunction);
    const decision = await handler(
      {
        table: 'show_plays_hourly',
        hour: '2026-11-27T10',
        error: 'Athena.TooManyRequestsException',
        cause: 'Rate exceeded',
        attempt: 1,
        correlationId: 'arn:aws:states:eu-west-1:1:execution:orchestrateAuroraImports:x',
      },
      context,
    );
    expect(decision).toMatchObject({ retryable: true, causeClass: 'throttling', attempt: 1 });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entry = calls[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: 'aurora-imports',
      Source: 'aurora-imports',
      DetailType: 'Import Retrying',
    });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ table: 'show_plays_hourly', stage: 'athena', attempt: 1 });
  });

  it('plan-imports plans an EMR event from the bundled catalog', async () => {
    const handler = createLambdaHandler(() => awsDependencies(env()), createPlanImportsFunction);
    const event = (await import('../../events/samples/emr-step-completed.json', { with: { type: 'json' } })).default;
    const plan = await handler({ input: event, correlationId: 'c-1' }, context);
    expect(plan.hour).toBe('2026-11-27T10');
    expect(plan.heavy.map((item) => item.executionName)).toEqual([
      'show_plays_hourly-2026-11-27T10-s-2AB3CD4EF5GH6',
      'episode_completion_hourly-2026-11-27T10-s-2AB3CD4EF5GH6',
    ]);
    expect(plan.light).toHaveLength(4);
  });

  it('prepare-import opens Aurora from DATABASE_URL, migrates, and reads the ledger', async () => {
    const handler = createLambdaHandler(() => awsDependencies(env()), createPrepareImportFunction);
    const result = await handler(
      { table: 'search_terms_hourly', hour: '2026-11-27T10', source: 's-1', force: false },
      context,
    );
    expect(result.skip).toBe(false);
    await expect(handler({ table: 'search_terms_hourly', hour: '2026-11-27 10' }, context)).rejects.toThrow(
      "hour '2026-11-27 10' is not an hour written YYYY-MM-DDTHH",
    );
    const deps = await awsDependencies(env());
    const database = await deps.database();
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toContain('import_ledger');
    await database.close();
  });
});
