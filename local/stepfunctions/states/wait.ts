/** Wait: for Seconds, until Timestamp, or their Path forms / JSONata expressions; time comes from the engine clock. */
import { effectiveInput, fieldValue, finishState, pathRoots, statesBinding } from '../data-flow.ts';
import { ExecutionAbortedError, QueryEvaluationError, RuntimeError } from '../errors.ts';
import { evaluatePath, NOT_FOUND } from '../json-path.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';

const ISO_OFFSET_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO-8601 extended offset date-time (what Java's ISO_OFFSET_DATE_TIME accepts); undefined if invalid. */
export function parseIsoTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_OFFSET_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

async function waitUntil(run: StateRun): Promise<number> {
  const now = run.exec.clock.now();
  const s = run.state;
  if (run.jsonata) {
    const binding = statesBinding(run);
    if (s.Seconds !== undefined) {
      const seconds = await fieldValue(run, 'Seconds', binding);
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw new QueryEvaluationError(
          `The Seconds field must be a non-negative integer, but was: ${JSON.stringify(seconds)}`,
        );
      }
      return now + seconds * 1000;
    }
    const timestamp = await fieldValue(run, 'Timestamp', binding);
    const at = parseIsoTimestamp(timestamp);
    if (at === undefined) {
      throw new QueryEvaluationError(
        `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${typeof timestamp === 'string' ? timestamp : JSON.stringify(timestamp)}`,
      );
    }
    return at;
  }
  if (typeof s.Seconds === 'number') return now + s.Seconds * 1000;
  if (typeof s.Timestamp === 'string') {
    const at = parseIsoTimestamp(s.Timestamp);
    if (at === undefined)
      throw new RuntimeError(`The Timestamp field is not a valid ISO-8601 timestamp: ${s.Timestamp}`);
    return at;
  }
  const input = effectiveInput(run);
  if (typeof s.SecondsPath === 'string') {
    const value = evaluatePath(s.SecondsPath, pathRoots(run, input));
    if (value === NOT_FOUND)
      throw new RuntimeError(`The SecondsPath parameter does not reference an input value: ${s.SecondsPath}`);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new RuntimeError(
        `The SecondsPath parameter cannot be parsed as a long value: ${s.SecondsPath} == ${JSON.stringify(value)}`,
      );
    }
    if (value < 0)
      throw new RuntimeError(`The SecondsPath parameter references a negative value: ${s.SecondsPath} == ${value}`);
    return now + value * 1000;
  }
  if (typeof s.TimestampPath === 'string') {
    const value = evaluatePath(s.TimestampPath, pathRoots(run, input));
    if (value === NOT_FOUND)
      throw new RuntimeError(`The TimestampPath parameter does not reference an input value: ${s.TimestampPath}`);
    const at = parseIsoTimestamp(value);
    if (at === undefined) {
      throw new RuntimeError(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${s.TimestampPath} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      );
    }
    return at;
  }
  return now;
}

export async function runWait(run: StateRun): Promise<StateOutcome> {
  const until = await waitUntil(run);
  const delay = until - run.exec.clock.now();
  if (delay > 0) {
    try {
      await run.exec.clock.sleep(delay, run.frame.signal);
    } catch {
      throw new ExecutionAbortedError('aborted');
    }
  }
  const output = await finishState(run, effectiveInput(run), false);
  return { output, next: run.state.Next };
}
