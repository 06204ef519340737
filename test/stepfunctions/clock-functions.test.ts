import { describe, expect, it } from 'vitest';
import { StepFunctionsEngine, VirtualClock } from '../../local/stepfunctions/index.ts';

describe('JSONata $now() and $millis()', () => {
  it('read the execution clock, so durations against $states.context hold under a virtual clock', async () => {
    const engine = new StepFunctionsEngine({ clock: new VirtualClock({ start: Date.UTC(2020, 0, 1) }) });
    const stateMachineArn = engine.createStateMachine({
      name: 'clock',
      definition: {
        QueryLanguage: 'JSONata',
        StartAt: 'Wait',
        States: {
          Wait: { Type: 'Wait', Seconds: 90, Next: 'Read' },
          Read: {
            Type: 'Pass',
            Output: {
              now: '{% $now() %}',
              millis: '{% $millis() %}',
              durationMs: '{% $toMillis($now()) - $toMillis($states.context.Execution.StartTime) %}',
              year: "{% $now('[Y0001]') %}",
            },
            End: true,
          },
        },
      },
    });
    const result = await engine.startExecution({ stateMachineArn }).done;
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual({
      now: '2020-01-01T00:01:30.000Z',
      millis: Date.UTC(2020, 0, 1, 0, 1, 30),
      durationMs: 90_000,
      year: '2020',
    });
  });
});
