import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { catchUpWindow } from '../../functions/catch-up/catch-up.ts';
import { catchUpConfigFromEnv } from '../../functions/catch-up/catch-up-config.ts';
import { catchUpPortsFromEnv } from '../../functions/catch-up/catch-up-dependencies.ts';
import { CatchUpConfigError, OrchestrationStartError } from '../../functions/catch-up/errors.ts';
import { S3SourceDataProbe } from '../../functions/catch-up/s3-source-data-probe.ts';
import { SfnOrchestrationStarter } from '../../functions/catch-up/sfn-orchestration-starter.ts';
import { sourceHourPrefix } from '../../functions/catch-up/source-layout.ts';
import type { TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { hourPartitionPath } from '../../local/athena/local-lake.ts';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
afterEach(() => {
  s3.reset();
  sfn.reset();
});

const HOUR = parseHour('2026-11-27T10');
const table = (partitions?: Record<string, string>): TableSpec =>
  ({
    name: 'show_plays_hourly',
    source: { database: 'aggregations', table: 'show_plays', ...(partitions ? { partitions } : {}) },
    partitionColumn: 'hour',
    columns: [],
    primaryKey: [],
    weight: 'heavy',
    mode: 'upsert',
    producedBy: 'hourly',
  }) as unknown as TableSpec;
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orchestrateAuroraImports';

describe('catch-up configuration', () => {
  it('defaults to a 24-hour window ending at the previous full hour and 6 hours per run', () => {
    expect(catchUpConfigFromEnv({})).toEqual({ windowHours: 24, maxHoursPerRun: 6, maxAttempts: 3 });
    const window = catchUpWindow(new Date('2026-11-28T00:20:00Z'), 24);
    expect([window.from.text, window.to.text]).toEqual(['2026-11-27T00', '2026-11-27T23']);
  });

  it('rejects a bad value naming the variable', () => {
    expect(() => catchUpConfigFromEnv({ CATCH_UP_WINDOW_HOURS: 'ten' })).toThrow(
      /CATCH_UP_WINDOW_HOURS must be an integer from 1 to 2160, got 'ten'/,
    );
    expect(() => catchUpConfigFromEnv({ CATCH_UP_MAX_HOURS_PER_RUN: '0' })).toThrow(CatchUpConfigError);
  });

  it('needs the bucket and the state machine ARN', () => {
    expect(() => catchUpPortsFromEnv({ ORCHESTRATOR_STATE_MACHINE_ARN: MACHINE })).toThrow(
      /SOURCE_DATA_BUCKET is not set/,
    );
    expect(() => catchUpPortsFromEnv({ SOURCE_DATA_BUCKET: 'lake' })).toThrow(/ORCHESTRATOR_STATE_MACHINE_ARN/);
  });
});

describe('S3SourceDataProbe', () => {
  it('lists the hour prefix of the same layout as the local lake', async () => {
    expect(sourceHourPrefix(table(), HOUR)).toBe(`aggregations/show_plays/${hourPartitionPath(table(), HOUR)}/`);
    const hive = table({ dt: 'yyyy-MM-dd', hr: 'HH' });
    expect(sourceHourPrefix(hive, HOUR)).toBe(`aggregations/show_plays/${hourPartitionPath(hive, HOUR)}/`);
    expect(sourceHourPrefix(hive, HOUR)).toBe('aggregations/show_plays/dt=2026-11-27/hr=10/');

    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'lake/aggregations/show_plays/hour=2026-11-27T10/part-0.parquet' }],
    });
    const probe = new S3SourceDataProbe({ bucket: 'emr-output', prefix: 'lake', client: new S3Client({}) });
    expect(await probe.hasData(table(), HOUR)).toBe(true);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({
      Bucket: 'emr-output',
      Prefix: 'lake/aggregations/show_plays/hour=2026-11-27T10/',
    });
  });

  it('says no data for an empty prefix or only markers, paging past the markers', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    const probe = new S3SourceDataProbe({ bucket: 'emr-output', client: new S3Client({}) });
    expect(await probe.hasData(table(), HOUR)).toBe(false);

    s3.reset();
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'aggregations/show_plays/hour=2026-11-27T10/_SUCCESS' }],
        IsTruncated: true,
        NextContinuationToken: 't2',
      })
      .resolvesOnce({ Contents: [{ Key: 'aggregations/show_plays/hour=2026-11-27T10_$folder$' }] });
    expect(await probe.hasData(table(), HOUR)).toBe(false);
    const calls = s3.commandCalls(ListObjectsV2Command);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.ContinuationToken).toBe('t2');
  });
});

describe('SfnOrchestrationStarter', () => {
  it('starts the orchestrator with the explicit input and the deterministic name', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
    const starter = new SfnOrchestrationStarter({ stateMachineArn: MACHINE, client: new SFNClient({}) });
    const started = await starter.start(
      { hour: '2026-11-27T10', tables: ['a', 'b'] },
      'catch-up-2026-11-27T10-2026112714',
    );
    expect(started).toEqual({ executionArn: `${MACHINE}:x`, alreadyStarted: false });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.name).toBe('catch-up-2026-11-27T10-2026112714');
    expect(input.stateMachineArn).toBe(MACHINE);
    expect(JSON.parse(input.input!)).toEqual({ hour: '2026-11-27T10', tables: ['a', 'b'], force: false });
  });

  it('treats ExecutionAlreadyExists as already started, and wraps other failures', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .rejectsOnce(new Error('AccessDenied'));
    const starter = new SfnOrchestrationStarter({ stateMachineArn: MACHINE, client: new SFNClient({}) });
    expect(await starter.start({ hour: '2026-11-27T10', tables: ['a'] }, 'n1')).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:orchestrateAuroraImports:n1',
      alreadyStarted: true,
    });
    await expect(starter.start({ hour: '2026-11-27T10', tables: ['a'] }, 'n2')).rejects.toThrow(
      OrchestrationStartError,
    );
  });
});
