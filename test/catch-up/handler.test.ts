import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CatchUpReport } from '../../functions/catch-up/catch-up.ts';
import { catchUpDependencies } from '../../functions/catch-up/catch-up-dependencies.ts';
import { type CatchUpFunctionDependencies, createCatchUpFunction } from '../../functions/catch-up/catch-up-function.ts';
import { handler } from '../../functions/catch-up/handler.ts';
import { createLambdaHandler } from '../../functions/shared/runtime/lambda-handler.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orchestrateAuroraImports';
const context = {
  functionName: 'catch-up',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let testDatabase: TestDatabase;
beforeAll(async () => {
  // Powertools reads its configuration from the process environment.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'AuroraImports');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'aurora-imports');
  testDatabase = await createTestDatabase();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await testDatabase?.drop();
});

describe('the catch-up Lambda over AWS dependencies', () => {
  it('is exported as handler', () => {
    expect(typeof handler).toBe('function');
  });

  it('lists the lake on S3 and starts the orchestrator with StartExecution for the hours that have data', async () => {
    // Only hour 10 has files: under the configured prefix, in the lake's layout.
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) =>
      input.Prefix?.includes('2026-11-27T10') || input.Prefix?.includes('dt=2026-11-27/hr=10')
        ? { Contents: [{ Key: `${input.Prefix}part-0.parquet` }] }
        : { KeyCount: 0 },
    );
    sfn.on(StartExecutionCommand).callsFake((input: { name?: string }) => ({
      executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: testDatabase.url,
      EVENT_BUS_NAME: 'aurora-imports',
      SOURCE_DATA_BUCKET: 'emr-output',
      SOURCE_DATA_PREFIX: 'lake',
      ORCHESTRATOR_STATE_MACHINE_ARN: MACHINE,
      CATCH_UP_WINDOW_HOURS: '3',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_NAMESPACE: 'AuroraImports',
      POWERTOOLS_SERVICE_NAME: 'aurora-imports',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    let deps: CatchUpFunctionDependencies | undefined;
    const lambda = createLambdaHandler(
      async () => {
        deps = await catchUpDependencies(env);
        return deps;
      },
      (deps) => createCatchUpFunction(deps as CatchUpFunctionDependencies),
    );
    const report = (await lambda(
      { source: 'aurora-imports.catch-up', scheduledTime: '2026-11-27T13:20:00Z' },
      context,
    )) as CatchUpReport;
    try {
      expect(report.window).toEqual({ from: '2026-11-27T10', to: '2026-11-27T12' });
      expect(report.started).toHaveLength(1);
      expect(report.started[0]).toMatchObject({ hour: '2026-11-27T10', alreadyStarted: false });
      const starts = sfn.commandCalls(StartExecutionCommand);
      expect(starts).toHaveLength(1);
      expect(starts[0]!.args[0].input).toMatchObject({
        stateMachineArn: MACHINE,
        name: 'catch-up-2026-11-27T10-2026112713',
      });
      expect(JSON.parse(starts[0]!.args[0].input.input!).tables).toEqual(report.started[0]!.tables);
      expect(report.skippedNoData.length).toBe(report.gapsFound - report.started[0]!.tables.length);
      expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Bucket).toBe('emr-output');
      expect(
        s3.commandCalls(ListObjectsV2Command).every((call) => call.args[0].input.Prefix?.startsWith('lake/')),
      ).toBe(true);
    } finally {
      await (await deps!.database()).close();
    }
  });
});
