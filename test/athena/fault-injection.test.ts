import { describe, expect, it } from 'vitest';
import type { AthenaQueryEngine, AthenaQueryRequest } from '../../local/athena/athena-port.ts';
import { AthenaQueryFailedError } from '../../local/athena/errors.ts';
import {
  faultPlanFromEnv,
  InvalidFaultSpecError,
  parseFaultSpec,
  withFaults,
} from '../../local/athena/fault-injection.ts';

const succeeding: AthenaQueryEngine = {
  execute: async (request) => ({
    QueryExecutionId: 'ok',
    Query: request.queryString,
    StatementType: 'DML',
    ResultConfiguration: { OutputLocation: `${request.outputLocation}ok.csv` },
    QueryExecutionContext: { Database: request.database },
    Status: { State: 'SUCCEEDED', SubmissionDateTime: 0, CompletionDateTime: 0 },
    Statistics: { EngineExecutionTimeInMillis: 0, DataScannedInBytes: 0, TotalExecutionTimeInMillis: 0 },
    WorkGroup: 'primary',
  }),
};

function query(table: string): AthenaQueryRequest {
  return {
    queryString: `SELECT "a" FROM "aggregations"."${table}" WHERE "hour" = TIMESTAMP '2026-11-27 10:00:00'`,
    database: 'aggregations',
    outputLocation: 's3://r/',
  };
}

async function outcome(engine: AthenaQueryEngine, request: AthenaQueryRequest): Promise<string> {
  try {
    await engine.execute(request);
    return 'ok';
  } catch (error) {
    if (!(error instanceof AthenaQueryFailedError)) throw error;
    return `${error.name}|${error.message}`;
  }
}

describe('withFaults', () => {
  it('fails the next N queries with the planned Error and Cause, then lets queries through', async () => {
    const engine = withFaults(succeeding, [
      { count: 2, error: 'Athena.AmazonAthenaException', cause: 'Rate exceeded' },
    ]);
    const results = [];
    for (let index = 0; index < 3; index++) results.push(await outcome(engine, query('t')));
    expect(results).toEqual([
      'Athena.AmazonAthenaException|Rate exceeded',
      'Athena.AmazonAthenaException|Rate exceeded',
      'ok',
    ]);
    expect(engine.remainingFaults()).toBe(0);
  });

  it('limits a fault to one source table', async () => {
    const engine = withFaults(succeeding, [
      { count: 1, error: 'Athena.AmazonAthenaException', cause: 'ICEBERG_COMMIT_ERROR', table: 'search_terms_hourly' },
    ]);
    expect(await outcome(engine, query('show_plays_hourly'))).toBe('ok');
    expect(await outcome(engine, query('search_terms_hourly'))).toBe(
      'Athena.AmazonAthenaException|ICEBERG_COMMIT_ERROR',
    );
    expect(await outcome(engine, query('search_terms_hourly'))).toBe('ok');
  });

  it('matches a table named with its database and not a table whose name merely contains it', async () => {
    const engine = withFaults(succeeding, [
      { count: 5, error: 'States.TaskFailed', cause: 'boom', table: 'aggregations.plays' },
    ]);
    expect(await outcome(engine, query('show_plays'))).toBe('ok');
    expect(await outcome(engine, query('plays'))).toBe('States.TaskFailed|boom');
    expect(engine.remainingFaults()).toBe(4);
  });
});

describe('parseFaultSpec', () => {
  it('reads count:error:cause, with an optional table@ and several faults split by ;', () => {
    expect(parseFaultSpec('3:Athena.AmazonAthenaException:Rate exceeded')).toEqual([
      { count: 3, error: 'Athena.AmazonAthenaException', cause: 'Rate exceeded' },
    ]);
    expect(
      parseFaultSpec(
        'search_terms_hourly@1:Athena.AmazonAthenaException:TABLE_NOT_FOUND: line 1:8: x; 2:States.TaskFailed:boom',
      ),
    ).toEqual([
      {
        count: 1,
        error: 'Athena.AmazonAthenaException',
        cause: 'TABLE_NOT_FOUND: line 1:8: x',
        table: 'search_terms_hourly',
      },
      { count: 2, error: 'States.TaskFailed', cause: 'boom' },
    ]);
  });

  it('gives throttling faults without a cause the Step Functions throttling text', () => {
    const [fault] = parseFaultSpec('1:Athena.TooManyRequestsException:');
    expect(fault!.cause).toMatch(
      /^Rate exceeded \(Service: AmazonAthena; Status Code: 400; Error Code: ThrottlingException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
    );
  });

  it('reads the JSON form', () => {
    expect(
      parseFaultSpec('[{"count":2,"error":"Athena.AmazonAthenaException","cause":"SlowDown","table":"t"}]'),
    ).toEqual([{ count: 2, error: 'Athena.AmazonAthenaException', cause: 'SlowDown', table: 't' }]);
    expect(parseFaultSpec('{"count":1,"error":"States.TaskFailed","cause":"x"}')).toHaveLength(1);
    expect(parseFaultSpec('  ')).toEqual([]);
  });

  it.each([
    ['three:Athena.AmazonAthenaException:x', 'is not [table@]count:error:cause'],
    ['0:Athena.AmazonAthenaException:x', 'count must be a whole number'],
    ['{"count":1}', '.error must be a non-empty string'],
    ['[1]', 'must be an object'],
    ['{"count":', 'not valid JSON'],
  ])('refuses %j clearly', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(InvalidFaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  it('reads the plan from AURORA_IMPORTS_ATHENA_FAULTS, naming the variable when it is wrong', () => {
    expect(faultPlanFromEnv({})).toEqual([]);
    expect(faultPlanFromEnv({ AURORA_IMPORTS_ATHENA_FAULTS: '2:States.TaskFailed:x' })).toEqual([
      { count: 2, error: 'States.TaskFailed', cause: 'x' },
    ]);
    expect(() => faultPlanFromEnv({ AURORA_IMPORTS_ATHENA_FAULTS: 'nonsense' })).toThrow(
      /^AURORA_IMPORTS_ATHENA_FAULTS: fault spec part 1/,
    );
  });
});
