import { describe, expect, it } from 'vitest';
import {
  DefinitionValidationError,
  ExecutionAlreadyExistsError,
  type HistoryEvent,
  StepFunctionsEngine,
  VirtualClock,
} from '../../local/stepfunctions/index.ts';

const WORK = 'arn:aws:states:::local:work';

/** `${name}` as text (spelled out so it is not mistaken for a template literal). */
const placeholder = (name: string) => ['$', '{', name, '}'].join('');

function newEngine() {
  const clock = new VirtualClock({ start: Date.UTC(2026, 10, 27, 10) });
  return { clock, engine: new StepFunctionsEngine({ clock, accountId: '000000000000' }) };
}

function mapOf(items: unknown[], maxConcurrency: number, extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'Map',
    States: {
      Map: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: maxConcurrency,
        ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: WORK, End: true } } },
        End: true,
        ...extra,
      },
    },
    _items: items,
  };
}

/** A handler that records concurrency, waits `ms` on the clock, and fails for the given items. */
function trackingHandler(clock: VirtualClock, failOn: Set<unknown>, ms = 1000) {
  const stats = { running: 0, max: 0, started: [] as unknown[], aborted: [] as unknown[] };
  const handler = async (input: unknown, { signal }: { signal: AbortSignal }) => {
    stats.running++;
    stats.max = Math.max(stats.max, stats.running);
    stats.started.push(input);
    try {
      await clock.sleep(failOn.has(input) ? ms / 2 : ms, signal);
      if (failOn.has(input)) throw Object.assign(new Error(`item ${String(input)} broke`), { name: 'ItemFailed' });
      return input;
    } catch (error) {
      if (signal.aborted) stats.aborted.push(input);
      throw error;
    } finally {
      stats.running--;
    }
  };
  return { stats, handler };
}

describe('Map', () => {
  it('never exceeds MaxConcurrency, fails once, stops scheduling and aborts in-flight iterations on failure', async () => {
    const { clock, engine } = newEngine();
    const { stats, handler } = trackingHandler(clock, new Set([3]));
    engine.registerTaskHandler(WORK, handler);
    const { _items, ...definition } = mapOf([], 3);
    const arn = engine.createStateMachine({ name: 'm', definition });
    const events: HistoryEvent[] = [];
    const execution = engine.startExecution({
      stateMachineArn: arn,
      input: { items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    });
    execution.onEvent((e) => events.push(e));
    const result = await execution.done;
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ItemFailed');
    expect(result.cause).toBe('item 3 broke');
    expect(stats.max).toBe(3);
    // Items 1-3 started together; 3 fails at t+500ms while 1 and 2 are still running: they are aborted and
    // nothing after item 3 is scheduled.
    expect(stats.started).toEqual([1, 2, 3]);
    expect(stats.aborted.sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'MapStateFailed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'MapIterationAborted')).toHaveLength(2);
  });

  it('keeps MaxConcurrency while failing when the Map is retried', async () => {
    const { clock, engine } = newEngine();
    const { stats, handler } = trackingHandler(clock, new Set(['bad']));
    engine.registerTaskHandler(WORK, handler);
    const { _items, ...definition } = mapOf([], 2, {
      Retry: [{ ErrorEquals: ['ItemFailed'], IntervalSeconds: 1, MaxAttempts: 2 }],
    });
    const arn = engine.createStateMachine({ name: 'm', definition });
    const result = await engine.startExecution({ stateMachineArn: arn, input: { items: ['a', 'bad', 'c', 'd'] } }).done;
    expect(result.status).toBe('FAILED');
    expect(stats.max).toBe(2);
    // Three attempts (1 + 2 retries), each starting 'a' and 'bad' and nothing after the failure.
    expect(stats.started).toEqual(['a', 'bad', 'a', 'bad', 'a', 'bad']);
  });

  it('tolerates failures up to ToleratedFailureCount and fails with States.ExceedToleratedFailureThreshold beyond', async () => {
    const { clock, engine } = newEngine();
    const { handler } = trackingHandler(clock, new Set([2, 4]));
    engine.registerTaskHandler(WORK, handler);
    const { _items, ...tolerant } = mapOf([], 1, { ToleratedFailureCount: 2 });
    const ok = await engine.startExecution({
      stateMachineArn: engine.createStateMachine({ name: 'tolerant', definition: tolerant }),
      input: { items: [1, 2, 3, 4] },
    }).done;
    expect(ok.status).toBe('SUCCEEDED');
    expect(JSON.parse(ok.output ?? '')).toEqual([1, null, 3, null]);
    const { _items: _, ...strict } = mapOf([], 1, { ToleratedFailureCount: 1 });
    const failed = await engine.startExecution({
      stateMachineArn: engine.createStateMachine({ name: 'strict', definition: strict }),
      input: { items: [1, 2, 3, 4] },
    }).done;
    expect(failed.error).toBe('States.ExceedToleratedFailureThreshold');
  });
});

describe('Parallel', () => {
  it('aborts the other branches when one fails, and fails once', async () => {
    const { clock, engine } = newEngine();
    const aborted: string[] = [];
    engine.registerTaskHandler(WORK, async (input, { signal }) => {
      try {
        await clock.sleep(input === 'fail' ? 10 : 60_000, signal);
      } catch (error) {
        aborted.push(String(input));
        throw error;
      }
      if (input === 'fail') throw { error: 'Boom', cause: 'branch failed' };
      return input;
    });
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, InputPath: '$.slow', End: true } } },
            { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, InputPath: '$.fail', End: true } } },
          ],
          End: true,
        },
      },
    };
    const arn = engine.createStateMachine({ name: 'p', definition });
    const events: HistoryEvent[] = [];
    engine.onEvent((e) => events.push(e));
    const result = await engine.startExecution({ stateMachineArn: arn, input: { slow: 'slow', fail: 'fail' } }).done;
    expect(result).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'branch failed' });
    expect(aborted).toEqual(['slow']);
    expect(events.filter((e) => e.type === 'ParallelStateFailed')).toHaveLength(1);
    expect(clock.now() - Date.UTC(2026, 10, 27, 10)).toBeLessThan(60_000);
  });
});

describe('abort', () => {
  it('stops all work of an execution: handlers see signal.aborted and the status is ABORTED', async () => {
    const { engine } = newEngine();
    const seen: boolean[] = [];
    let started = 0;
    engine.registerTaskHandler(WORK, async (_input, { signal }) => {
      started++;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      seen.push(signal.aborted);
      return null;
    });
    const { _items, ...definition } = mapOf([], 2);
    const arn = engine.createStateMachine({ name: 'a', definition });
    const execution = engine.startExecution({ stateMachineArn: arn, input: { items: [1, 2, 3, 4] } });
    while (started < 2) await new Promise((r) => setImmediate(r));
    execution.abort('operator stop');
    const result = await execution.done;
    expect(result.status).toBe('ABORTED');
    expect(seen).toEqual([true, true]);
    expect(started).toBe(2);
    expect(engine.describeExecution(execution.executionArn).status).toBe('ABORTED');
  });
});

describe('abort with a stubborn handler', () => {
  it('settles ABORTED at once even if a handler ignores its signal', async () => {
    const { engine } = newEngine();
    let release: () => void = () => undefined;
    engine.registerTaskHandler(WORK, () => new Promise((resolve) => (release = () => resolve('late'))));
    const arn = engine.createStateMachine({
      name: 'stubborn',
      definition: {
        StartAt: 'W',
        States: { W: { Type: 'Task', Resource: WORK, Next: 'After' }, After: { Type: 'Pass', End: true } },
      },
    });
    const execution = engine.startExecution({ stateMachineArn: arn });
    await new Promise((r) => setImmediate(r));
    execution.abort();
    expect((await execution.done).status).toBe('ABORTED');
    release();
    await new Promise((r) => setImmediate(r));
    expect(execution.history.some((e) => e.type === 'PassStateEntered')).toBe(false);
  });
});

describe('Task', () => {
  it('fails with States.Timeout after TimeoutSeconds and aborts the handler; no timeout unless set', async () => {
    const { clock, engine } = newEngine();
    let abortedByTimeout = false;
    engine.registerTaskHandler(WORK, async (_input, { signal }) => {
      await clock.sleep(3_600_000, signal).catch(() => {
        abortedByTimeout = signal.aborted;
      });
      return 'late';
    });
    const timed = engine.createStateMachine({
      name: 't',
      definition: { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, TimeoutSeconds: 5, End: true } } },
    });
    const result = await engine.startExecution({ stateMachineArn: timed }).done;
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    expect(abortedByTimeout).toBe(true);
    expect(engine.getExecutionHistory(result.executionArn).map((e) => e.type)).toContain('TaskTimedOut');
    const untimed = engine.createStateMachine({
      name: 'u',
      definition: { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, End: true } } },
    });
    const slow = await engine.startExecution({ stateMachineArn: untimed }).done;
    expect(slow).toMatchObject({ status: 'SUCCEEDED', output: '"late"' });
  });

  it('does not move virtual time while a handler does real work, so TimeoutSeconds does not fire early', async () => {
    const { clock, engine } = newEngine();
    engine.registerTaskHandler(WORK, async () => {
      // Real I/O-like work: several macrotask turns, no clock sleeps.
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
      return 'done';
    });
    const arn = engine.createStateMachine({
      name: 'busy',
      definition: {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, TimeoutSeconds: 5, End: true } } },
              { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } } },
            ],
            End: true,
          },
        },
      },
    });
    const start = clock.now();
    const result = await engine.startExecution({ stateMachineArn: arn }).done;
    expect(result.status).toBe('SUCCEEDED');
    expect(clock.now() - start).toBe(3_600_000);
  });

  it('fails with States.HeartbeatTimeout when the handler stops calling heartbeat()', async () => {
    const { clock, engine } = newEngine();
    engine.registerTaskHandler(WORK, async (input, { heartbeat, signal }) => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(8_000, signal);
        if (input === 'beating') heartbeat();
      }
      return 'done';
    });
    const arn = engine.createStateMachine({
      name: 'h',
      definition: { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, HeartbeatSeconds: 10, End: true } } },
    });
    expect((await engine.startExecution({ stateMachineArn: arn, input: 'beating' }).done).status).toBe('SUCCEEDED');
    const silent = await engine.startExecution({ stateMachineArn: arn, input: 'silent' }).done;
    expect(silent.error).toBe('States.HeartbeatTimeout');
  });

  it('retries with backoff on the virtual clock (no real time) and catches with ResultPath', async () => {
    const { clock, engine } = newEngine();
    const attempts: number[] = [];
    engine.registerTaskHandler(WORK, async () => {
      attempts.push(clock.now());
      throw Object.assign(new Error('slow down'), { name: 'Athena.TooManyRequestsException' });
    });
    const arn = engine.createStateMachine({
      name: 'r',
      definition: {
        StartAt: 'W',
        States: {
          W: {
            Type: 'Task',
            Resource: WORK,
            Retry: [
              {
                ErrorEquals: ['Athena.TooManyRequestsException'],
                IntervalSeconds: 10,
                BackoffRate: 3,
                MaxAttempts: 3,
                MaxDelaySeconds: 60,
              },
            ],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
    });
    const result = await engine.startExecution({ stateMachineArn: arn, input: { table: 't' } }).done;
    expect(JSON.parse(result.output ?? '')).toEqual({
      table: 't',
      error: { Error: 'Athena.TooManyRequestsException', Cause: 'slow down' },
    });
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    expect(gaps).toEqual([10_000, 30_000, 60_000]);
  });

  it('MaxAttempts 0 does not retry; ErrorEquals is case-sensitive', async () => {
    const { engine } = newEngine();
    let calls = 0;
    engine.registerTaskHandler(WORK, async () => {
      calls++;
      throw { error: 'Transient', cause: 'x' };
    });
    const arn = engine.createStateMachine({
      name: 'z',
      definition: {
        StartAt: 'W',
        States: {
          W: {
            Type: 'Task',
            Resource: WORK,
            Retry: [
              { ErrorEquals: ['transient'], MaxAttempts: 5 },
              { ErrorEquals: ['Transient'], MaxAttempts: 0 },
            ],
            End: true,
          },
        },
      },
    });
    const result = await engine.startExecution({ stateMachineArn: arn }).done;
    expect(result.error).toBe('Transient');
    expect(calls).toBe(1);
  });

  it('resolves handlers by exact ARN, glob and RegExp, passing context, stateName and resource', async () => {
    const { engine } = newEngine();
    const calls: string[] = [];
    engine.registerTaskHandler('arn:aws:states:::athena:*', async (_i, ctx) => {
      calls.push(`glob:${ctx.resource}:${ctx.stateName}`);
      return 1;
    });
    engine.registerTaskHandler(/events:putEvents$/, async (_i, ctx) => {
      calls.push(`regexp:${String((ctx.context.Execution as { Name: string }).Name)}`);
      return 2;
    });
    const arn = engine.createStateMachine({
      name: 'h',
      definition: {
        StartAt: 'Q',
        States: {
          Q: { Type: 'Task', Resource: 'arn:aws:states:::athena:startQueryExecution.sync', Next: 'E' },
          E: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', End: true },
        },
      },
    });
    await engine.startExecution({ stateMachineArn: arn, name: 'run-1' }).done;
    expect(calls).toEqual(['glob:arn:aws:states:::athena:startQueryExecution.sync:Q', 'regexp:run-1']);
  });

  it('serves a Lambda both by function ARN and through lambda:invoke, with AWS error shapes', async () => {
    const { engine } = newEngine();
    engine.registerLambda('Double', async (payload) => ({ n: (payload as { n: number }).n * 2 }));
    engine.registerLambda('arn:aws:lambda:us-east-1:000000000000:function:Broken', async () => {
      throw new TypeError('bad input');
    });
    const arn = engine.createStateMachine({
      name: 'l',
      definition: {
        StartAt: 'ByArn',
        States: {
          ByArn: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Double', Next: 'ByInvoke' },
          ByInvoke: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'Double', 'Payload.$': '$' },
            ResultSelector: { 'n.$': '$.Payload.n', 'status.$': '$.StatusCode' },
            Next: 'Broken',
          },
          Broken: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'Broken' },
            Catch: [{ ErrorEquals: ['TypeError'], ResultPath: '$.failure', Next: 'Done' }],
            End: true,
          },
          Done: { Type: 'Pass', End: true },
        },
      },
    });
    const result = await engine.startExecution({ stateMachineArn: arn, input: { n: 3 } }).done;
    const output = JSON.parse(result.output ?? '');
    expect(output).toMatchObject({ n: 12, status: 200, failure: { Error: 'TypeError' } });
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorMessage: 'bad input', errorType: 'TypeError' });
  });

  it('fails clearly when no handler is registered', async () => {
    const { engine } = newEngine();
    const arn = engine.createStateMachine({
      name: 'n',
      definition: {
        StartAt: 'W',
        States: { W: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
      },
    });
    const result = await engine.startExecution({ stateMachineArn: arn }).done;
    expect(result.error).toBe('States.TaskFailed');
    expect(result.cause).toContain("No handler is registered for Task resource 'arn:aws:states:::sqs:sendMessage'");
  });
});

describe('nested executions (states:startExecution)', () => {
  function withChild() {
    const { clock, engine } = newEngine();
    engine.registerTaskHandler(WORK, async (input, { signal }) => {
      await clock.sleep(1000, signal);
      if ((input as { fail?: boolean }).fail) throw { error: 'ImportFailed', cause: 'table broke' };
      return { imported: (input as { table: string }).table };
    });
    const child = engine.createStateMachine({
      name: 'importFromS3ToAurora',
      definition: { StartAt: 'W', States: { W: { Type: 'Task', Resource: WORK, End: true } } },
    });
    const parent = (resource: string) =>
      engine.createStateMachine({
        name: `parent${resource.replace(/[^a-z0-9]/gi, '')}`,
        definition: {
          QueryLanguage: 'JSONata',
          StartAt: 'Start',
          States: {
            Start: {
              Type: 'Task',
              Resource: resource,
              Arguments: {
                StateMachineArn: child,
                Input: '{% $states.input %}',
                Name: '{% $states.input.table & "-2026-11-27T10-1" %}',
              },
              End: true,
            },
          },
        },
      });
    return { engine, parent, child };
  }

  it('.sync:2 returns the child description with Output parsed; the child gets the Name', async () => {
    const { engine, parent, child } = withChild();
    const result = await engine.startExecution({
      stateMachineArn: parent('arn:aws:states:::states:startExecution.sync:2'),
      input: { table: 'shows' },
    }).done;
    const output = JSON.parse(result.output ?? '');
    expect(output).toMatchObject({
      Status: 'SUCCEEDED',
      Output: { imported: 'shows' },
      Input: { table: 'shows' },
      Name: 'shows-2026-11-27T10-1',
      ExecutionArn: 'arn:aws:states:us-east-1:000000000000:execution:importFromS3ToAurora:shows-2026-11-27T10-1',
      StateMachineArn: child,
    });
    expect(typeof output.StartDate).toBe('number');
  });

  it('.sync returns Output as text; the plain form returns at once', async () => {
    const { engine, parent } = withChild();
    const sync = JSON.parse(
      (
        await engine.startExecution({
          stateMachineArn: parent('arn:aws:states:::states:startExecution.sync'),
          input: { table: 'a' },
        }).done
      ).output ?? '',
    );
    expect(sync.Output).toBe('{"imported":"a"}');
    const plain = JSON.parse(
      (
        await engine.startExecution({
          stateMachineArn: parent('arn:aws:states:::states:startExecution'),
          input: { table: 'b' },
        }).done
      ).output ?? '',
    );
    expect(Object.keys(plain).sort()).toEqual(['ExecutionArn', 'StartDate']);
  });

  it('a failed child surfaces as States.TaskFailed with the child description as Cause', async () => {
    const { engine, parent } = withChild();
    const result = await engine.startExecution({
      stateMachineArn: parent('arn:aws:states:::states:startExecution.sync:2'),
      input: { table: 'x', fail: true },
    }).done;
    expect(result.error).toBe('States.TaskFailed');
    expect(JSON.parse(result.cause ?? '')).toMatchObject({
      Status: 'FAILED',
      Error: 'ImportFailed',
      Cause: 'table broke',
      Name: 'x-2026-11-27T10-1',
    });
  });

  it('names dedupe: same input while running is idempotent, otherwise ExecutionAlreadyExists (StepFunctions.ExecutionAlreadyExistsException in a Task)', async () => {
    const { engine, parent, child } = withChild();
    const first = engine.startExecution({ stateMachineArn: child, name: 'dup', input: { table: 'a' } });
    const again = engine.startExecution({ stateMachineArn: child, name: 'dup', input: { table: 'a' } });
    expect(again.executionArn).toBe(first.executionArn);
    expect(() => engine.startExecution({ stateMachineArn: child, name: 'dup', input: { table: 'b' } })).toThrow(
      ExecutionAlreadyExistsError,
    );
    await first.done;
    expect(() => engine.startExecution({ stateMachineArn: child, name: 'dup', input: { table: 'a' } })).toThrow(
      ExecutionAlreadyExistsError,
    );
    const p = parent('arn:aws:states:::states:startExecution.sync:2');
    await engine.startExecution({ stateMachineArn: p, input: { table: 'c' } }).done;
    const second = await engine.startExecution({ stateMachineArn: p, input: { table: 'c' } }).done;
    expect(second.error).toBe('StepFunctions.ExecutionAlreadyExistsException');
  });

  it('aborting the parent aborts the child; engine.onEvent sees nested events', async () => {
    const { engine, parent, child } = withChild();
    const arns = new Set<string>();
    engine.onEvent((e) => arns.add(e.executionArn));
    const execution = engine.startExecution({
      stateMachineArn: parent('arn:aws:states:::states:startExecution.sync:2'),
      input: { table: 'q' },
    });
    await new Promise((r) => setImmediate(r));
    execution.abort();
    expect((await execution.done).status).toBe('ABORTED');
    const childArn = `${child.replace(':stateMachine:', ':execution:')}:q-2026-11-27T10-1`;
    await new Promise((r) => setImmediate(r));
    expect(engine.describeExecution(childArn).status).toBe('ABORTED');
    expect(arns.has(childArn)).toBe(true);
  });
});

describe('definitions', () => {
  it('validates before running, naming the state and field', () => {
    const { engine } = newEngine();
    try {
      engine.createStateMachine({
        name: 'bad',
        definition: {
          StartAt: 'A',
          States: {
            A: { Type: 'Pass', Next: 'Missing' },
            B: { Type: 'Task', End: true },
            C: { Type: 'Choice', Choices: [] },
            D: { Type: 'Pass', End: true, Catch: [] },
            E: { Type: 'Task', Resource: WORK, End: true, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }] },
          },
        },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionValidationError);
      const paths = (error as DefinitionValidationError).problems.map((p) => p.path);
      expect(paths).toEqual([
        'States.A.Next',
        'States.B.Resource',
        'States.C.Choices',
        'States.D.Catch',
        'States.E.Retry[0].ErrorEquals',
      ]);
    }
  });

  it('applies DefinitionSubstitutions-style placeholders', async () => {
    const { engine } = newEngine();
    const arn = engine.createStateMachine({
      name: 's',
      definition: `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"bus":"${placeholder('BusName')}","n":${placeholder('Count')},"keep":"${placeholder('Unknown')}"},"End":true}}}`,
      substitutions: { BusName: 'aurora-imports', Count: 3 },
    });
    const result = await engine.startExecution({ stateMachineArn: arn }).done;
    expect(JSON.parse(result.output ?? '')).toEqual({ bus: 'aurora-imports', n: 3, keep: placeholder('Unknown') });
  });

  it('runs Wait states on the virtual clock and records a typed history', async () => {
    const { clock, engine } = newEngine();
    const arn = engine.createStateMachine({
      name: 'w',
      definition: {
        QueryLanguage: 'JSONata',
        StartAt: 'Wait',
        States: {
          Wait: { Type: 'Wait', Seconds: 3600, Assign: { waited: '{% $states.input.n %}' }, Next: 'Out' },
          Out: { Type: 'Pass', Output: '{% $waited + 1 %}', End: true },
        },
      },
    });
    const execution = engine.startExecution({ stateMachineArn: arn, input: { n: 41 } });
    const result = await execution.done;
    expect(result.output).toBe('42');
    expect(clock.now()).toBe(Date.UTC(2026, 10, 27, 11));
    expect(execution.history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
