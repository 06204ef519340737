import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsAthena } from '../../local/athena/aws-athena.ts';
import { AthenaQueryFailedError } from '../../local/athena/errors.ts';

const athenaMock = mockClient(AthenaClient);
const REQUEST = {
  queryString: 'SELECT "a" FROM "aggregations"."t" WHERE "hour" = TIMESTAMP \'2026-11-27 10:00:00\'',
  database: 'aggregations',
  workGroup: 'imports',
  outputLocation: 's3://results/athena/',
};
const ID = '11111111-2222-4333-8444-555555555555';

function engine(): AwsAthena {
  return new AwsAthena({ client: new AthenaClient({ region: 'eu-west-1' }), pollInitialDelayMs: 1, pollMaxDelayMs: 2 });
}

function executionIn(state: string, extra: Record<string, unknown> = {}) {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      Query: REQUEST.queryString,
      StatementType: 'DML' as const,
      ResultConfiguration: { OutputLocation: `s3://results/athena/${ID}.csv` },
      QueryExecutionContext: { Database: 'aggregations', Catalog: 'awsdatacatalog' },
      Status: {
        State: state as 'RUNNING',
        SubmissionDateTime: new Date('2026-11-27T11:05:00.000Z'),
        ...(state === 'RUNNING' || state === 'QUEUED'
          ? {}
          : { CompletionDateTime: new Date('2026-11-27T11:05:03.250Z') }),
        ...extra,
      },
      Statistics: { EngineExecutionTimeInMillis: 3000, DataScannedInBytes: 12345, TotalExecutionTimeInMillis: 3250 },
      WorkGroup: 'imports',
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
    },
  };
}

afterEach(() => athenaMock.reset());

describe('AwsAthena', () => {
  it('starts the query, polls until SUCCEEDED and answers in the .sync output shape', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(executionIn('QUEUED'))
      .resolvesOnce(executionIn('RUNNING'))
      .resolves(executionIn('SUCCEEDED'));
    const execution = await engine().execute(REQUEST);
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: REQUEST.queryString,
      QueryExecutionContext: { Database: 'aggregations' },
      WorkGroup: 'imports',
      ResultConfiguration: { OutputLocation: 's3://results/athena/' },
    });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(execution).toEqual({
      QueryExecutionId: ID,
      Query: REQUEST.queryString,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `s3://results/athena/${ID}.csv` },
      QueryExecutionContext: { Database: 'aggregations', Catalog: 'awsdatacatalog' },
      Status: {
        State: 'SUCCEEDED',
        SubmissionDateTime: Date.parse('2026-11-27T11:05:00.000Z'),
        CompletionDateTime: Date.parse('2026-11-27T11:05:03.250Z'),
      },
      Statistics: { EngineExecutionTimeInMillis: 3000, DataScannedInBytes: 12345, TotalExecutionTimeInMillis: 3250 },
      WorkGroup: 'imports',
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
    });
  });

  it('turns a FAILED query into Athena.AmazonAthenaException with the StateChangeReason as Cause', async () => {
    const reason = "TABLE_NOT_FOUND: line 1:19: Table 'awsdatacatalog.aggregations.t' does not exist";
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(executionIn('RUNNING'))
      .resolves(
        executionIn('FAILED', {
          StateChangeReason: reason,
          AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false, ErrorMessage: reason },
        }),
      );
    const failure = await engine()
      .execute(REQUEST)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AthenaQueryFailedError);
    expect(failure).toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: reason,
      cause: reason,
      queryExecutionId: ID,
    });
  });

  it('uses AthenaError.ErrorMessage when there is no StateChangeReason, and reports CANCELLED', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(executionIn('FAILED', { AthenaError: { ErrorMessage: 'ICEBERG_COMMIT_ERROR: commit failed' } }))
      .resolves(executionIn('CANCELLED'));
    await expect(engine().execute(REQUEST)).rejects.toMatchObject({ message: 'ICEBERG_COMMIT_ERROR: commit failed' });
    await expect(engine().execute(REQUEST)).rejects.toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: 'Query cancelled',
    });
  });

  it('maps a throttled StartQueryExecution to Athena.TooManyRequestsException with the SDK-style Cause', async () => {
    athenaMock.on(StartQueryExecutionCommand).rejects(
      new TooManyRequestsException({
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400, requestId: 'f2c1d7a0-0000-4000-8000-000000000001' },
      }),
    );
    const failure = await engine()
      .execute(REQUEST)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'Athena.TooManyRequestsException',
      message:
        'Rate exceeded (Service: AmazonAthena; Status Code: 400; Error Code: TooManyRequestsException; Request ID: f2c1d7a0-0000-4000-8000-000000000001; Proxy: null)',
    });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(0);
  });

  it('maps an unmodelled ThrottlingException to Athena.AmazonAthenaException "Rate exceeded (...)"', async () => {
    const throttling = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    });
    athenaMock.on(StartQueryExecutionCommand).rejects(throttling);
    await expect(engine().execute(REQUEST)).rejects.toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message:
        'Rate exceeded (Service: AmazonAthena; Status Code: 400; Error Code: ThrottlingException; Request ID: req-1; Proxy: null)',
    });
  });

  it('keeps polling through a throttled GetQueryExecution', async () => {
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves(executionIn('SUCCEEDED'));
    await expect(engine().execute(REQUEST)).resolves.toMatchObject({ QueryExecutionId: ID });
  });

  it('stops the query when aborted and rejects with the abort reason', async () => {
    const controller = new AbortController();
    athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athenaMock.on(GetQueryExecutionCommand).callsFake(() => {
      controller.abort(new Error('execution stopped'));
      return executionIn('RUNNING');
    });
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    await expect(engine().execute(REQUEST, controller.signal)).rejects.toThrow('execution stopped');
    expect(athenaMock.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: ID });
  });
});
