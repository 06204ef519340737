import { describe, expect, it } from 'vitest';
import type { AthenaQueryEngine, AthenaQueryExecution, AthenaQueryRequest } from '../../local/athena/athena-port.ts';
import { createAthenaSyncTaskHandler } from '../../local/athena/athena-sync-task.ts';
import { AthenaQueryFailedError } from '../../local/athena/errors.ts';

function recordingEngine(): AthenaQueryEngine & { requests: AthenaQueryRequest[] } {
  const requests: AthenaQueryRequest[] = [];
  return {
    requests,
    async execute(request) {
      requests.push(request);
      const execution: AthenaQueryExecution = {
        QueryExecutionId: 'q-1',
        Query: request.queryString,
        StatementType: 'DML',
        ResultConfiguration: { OutputLocation: `${request.outputLocation}q-1.csv` },
        QueryExecutionContext: { Database: request.database, Catalog: 'awsdatacatalog' },
        Status: { State: 'SUCCEEDED', SubmissionDateTime: 1, CompletionDateTime: 2 },
        Statistics: { EngineExecutionTimeInMillis: 1, DataScannedInBytes: 0, TotalExecutionTimeInMillis: 1 },
        WorkGroup: request.workGroup ?? 'primary',
      };
      return execution;
    },
  };
}

const signal = new AbortController().signal;

describe('createAthenaSyncTaskHandler', () => {
  it('maps the ASL Arguments onto the engine and returns {QueryExecution}', async () => {
    const engine = recordingEngine();
    const output = await createAthenaSyncTaskHandler(engine)(
      {
        QueryString: 'SELECT 1',
        WorkGroup: 'imports',
        QueryExecutionContext: { Database: 'aggregations' },
        ResultConfiguration: { OutputLocation: 's3://results/' },
      },
      { signal },
    );
    expect(engine.requests).toEqual([
      { queryString: 'SELECT 1', database: 'aggregations', workGroup: 'imports', outputLocation: 's3://results/' },
    ]);
    expect(Object.keys(output)).toEqual(['QueryExecution']);
    expect(output.QueryExecution).toMatchObject({
      QueryExecutionId: 'q-1',
      Status: { State: 'SUCCEEDED' },
      ResultConfiguration: { OutputLocation: 's3://results/q-1.csv' },
      WorkGroup: 'imports',
    });
  });

  it('uses the workgroup output location and default database when the task names none', async () => {
    const engine = recordingEngine();
    await createAthenaSyncTaskHandler(engine, { defaultOutputLocation: 's3://wg/', defaultDatabase: 'aggregations' })(
      { QueryString: 'SELECT 1' },
      { signal },
    );
    expect(engine.requests[0]).toEqual({
      queryString: 'SELECT 1',
      database: 'aggregations',
      outputLocation: 's3://wg/',
    });
  });

  it('refuses input Athena would refuse, as Athena.AmazonAthenaException with an InvalidRequestException Cause', async () => {
    const handler = createAthenaSyncTaskHandler(recordingEngine());
    await expect(handler({ ResultConfiguration: { OutputLocation: 's3://r/' } }, { signal })).rejects.toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: expect.stringMatching(/queryString.*Error Code: InvalidRequestException/),
    });
    await expect(handler({ QueryString: 'SELECT 1' }, { signal })).rejects.toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: expect.stringMatching(/^No output location provided\..*InvalidRequestException/),
    });
  });

  it('lets an engine failure through with name = Error and message = Cause', async () => {
    const failing: AthenaQueryEngine = {
      execute: () =>
        Promise.reject(new AthenaQueryFailedError('Athena.TooManyRequestsException', 'Rate exceeded (...)')),
    };
    const failure = await createAthenaSyncTaskHandler(failing)(
      { QueryString: 'SELECT 1', ResultConfiguration: { OutputLocation: 's3://r/' } },
      { signal },
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'Athena.TooManyRequestsException', message: 'Rate exceeded (...)' });
  });
});
