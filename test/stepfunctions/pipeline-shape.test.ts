/**
 * A state machine shaped like our pipeline (design.md section 1), in JSONata mode: a Parallel of a heavy Map
 * (MaxConcurrency 1) and a light Map (MaxConcurrency 2), each item a nested `states:startExecution.sync:2`; the child
 * queries "Athena" with a classify-and-retry loop (Choice + Wait with Assign and $states.errorOutput), then "imports".
 */
import { describe, expect, it } from 'vitest';
import { StepFunctionsEngine, VirtualClock } from '../../local/stepfunctions/index.ts';

const ATHENA = 'arn:aws:states:::athena:startQueryExecution.sync';

const child = {
  QueryLanguage: 'JSONata',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Assign: { attempt: 0, table: '{% $states.input.table %}' }, Next: 'QueryAthena' },
    QueryAthena: {
      Type: 'Task',
      Resource: ATHENA,
      Arguments: { QueryString: "{% 'SELECT * FROM ' & $table %}" },
      Assign: { queryId: '{% $states.result.QueryExecution.QueryExecutionId %}' },
      Catch: [
        {
          ErrorEquals: ['States.ALL'],
          Assign: { attempt: '{% $attempt + 1 %}', lastError: '{% $states.errorOutput %}' },
          Next: 'Classify',
        },
      ],
      Next: 'Import',
    },
    Classify: {
      Type: 'Choice',
      Choices: [
        {
          Condition: "{% $attempt < 3 and $contains($lastError.Cause, 'Rate exceeded') %}",
          Next: 'Backoff',
        },
      ],
      Default: 'ImportFailed',
    },
    Backoff: { Type: 'Wait', Seconds: '{% $attempt * 30 %}', Next: 'QueryAthena' },
    Import: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: {
        FunctionName: ['$', '{ImportFunction}'].join(''),
        Payload: { table: '{% $table %}', queryExecutionId: '{% $queryId %}' },
      },
      Output: '{% $states.result.Payload %}',
      End: true,
    },
    ImportFailed: { Type: 'Fail', Error: '{% $lastError.Error %}', Cause: '{% $lastError.Cause %}' },
  },
};

const orchestrator = (childArn: string) => ({
  QueryLanguage: 'JSONata',
  StartAt: 'Tables',
  States: {
    Tables: {
      Type: 'Parallel',
      Arguments: '{% $states.input %}',
      Branches: ['heavy', 'light'].map((weight) => ({
        StartAt: weight,
        States: {
          [weight]: {
            Type: 'Map',
            Items: `{% $states.input.${weight} %}`,
            MaxConcurrency: weight === 'heavy' ? 1 : 2,
            ItemProcessor: {
              StartAt: 'Import',
              States: {
                Import: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::states:startExecution.sync:2',
                  Arguments: {
                    StateMachineArn: childArn,
                    Name: "{% $states.input & '-2026-11-27T10-1' %}",
                    Input: { table: '{% $states.input %}' },
                  },
                  Output: {
                    table: '{% $states.input %}',
                    status: 'succeeded',
                    rows: '{% $states.result.Output.rows %}',
                  },
                  Catch: [
                    {
                      ErrorEquals: ['States.TaskFailed'],
                      Output: {
                        table: '{% $states.input %}',
                        status: 'failed',
                        error: '{% $parse($states.errorOutput.Cause).Error %}',
                      },
                      Next: 'Failed',
                    },
                  ],
                  End: true,
                },
                Failed: { Type: 'Pass', End: true },
              },
            },
            End: true,
          },
        },
      })),
      Output: '{% $append($states.result[0], $states.result[1]) %}',
      End: true,
    },
  },
});

describe('a pipeline-shaped state machine', () => {
  it('runs heavy tables one at a time, light ones two at a time, retries throttling and reports per table', async () => {
    const clock = new VirtualClock({ start: Date.UTC(2026, 10, 27, 11) });
    const engine = new StepFunctionsEngine({ clock });
    const running = { heavy: 0, light: 0, maxHeavy: 0, maxLight: 0 };
    const throttled = new Set<string>();
    engine.registerTaskHandler(ATHENA, async (input, { signal }) => {
      const table = String((input as { QueryString: string }).QueryString).replace('SELECT * FROM ', '');
      const kind = table.startsWith('heavy') ? 'heavy' : 'light';
      running[kind]++;
      running.maxHeavy = Math.max(running.maxHeavy, running.heavy);
      running.maxLight = Math.max(running.maxLight, running.light);
      try {
        await clock.sleep(60_000, signal);
        if (table === 'light_b' && !throttled.has(table)) {
          throttled.add(table);
          throw { error: 'Athena.TooManyRequestsException', cause: 'Rate exceeded' };
        }
        if (table === 'light_c') throw { error: 'Athena.AmazonAthenaException', cause: 'TABLE_NOT_FOUND' };
        return { QueryExecution: { QueryExecutionId: `q-${table}` } };
      } finally {
        running[kind]--;
      }
    });
    engine.registerLambda('S3ImportToAurora', async (payload) => ({ rows: 10, ...(payload as object) }));
    const childArn = engine.createStateMachine({
      name: 'importFromS3ToAurora',
      definition: child,
      substitutions: { ImportFunction: 'S3ImportToAurora' },
    });
    const arn = engine.createStateMachine({ name: 'orchestrateAuroraImports', definition: orchestrator(childArn) });
    const result = await engine.startExecution({
      stateMachineArn: arn,
      input: { heavy: ['heavy_a', 'heavy_b'], light: ['light_a', 'light_b', 'light_c'] },
    }).done;
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual([
      { table: 'heavy_a', status: 'succeeded', rows: 10 },
      { table: 'heavy_b', status: 'succeeded', rows: 10 },
      { table: 'light_a', status: 'succeeded', rows: 10 },
      { table: 'light_b', status: 'succeeded', rows: 10 },
      { table: 'light_c', status: 'failed', error: 'Athena.AmazonAthenaException' },
    ]);
    expect(running.maxHeavy).toBe(1);
    expect(running.maxLight).toBe(2);
    const retried = engine.describeExecution(
      'arn:aws:states:us-east-1:000000000000:execution:importFromS3ToAurora:light_b-2026-11-27T10-1',
    );
    expect(retried.status).toBe('SUCCEEDED');
  });
});
