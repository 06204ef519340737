/**
 * Runs one case of the Step Functions conformance corpus (test/conformance/stepfunctions, recorded on AWS) on the
 * local engine and compares the result the way the corpus README suggests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepFunctionsEngine, VirtualClock } from '../../local/stepfunctions/index.ts';

export const CORPUS_DIR = new URL('../conformance/stepfunctions/', import.meta.url).pathname;

interface LambdaSpec {
  arn: string;
  behaviour: 'echo' | 'return' | 'raise' | 'return-raw';
  value?: unknown;
  errorType?: string;
  errorMessage?: string;
  delaySeconds?: number;
}

export interface ConformanceCase {
  id: string;
  name: string;
  definition: unknown;
  input?: unknown;
  inputOmitted?: boolean;
  expected: { status: string; output?: unknown; error?: string; cause?: unknown; causeIsJson?: boolean };
  normalizedPaths?: string[];
  stateMachineType?: 'STANDARD' | 'EXPRESS';
  lambdas?: Record<string, LambdaSpec>;
  recordedTaskFailures?: { error: string; cause: unknown }[];
  context: { stateMachineName: string; executionName: string; roleArn: string; accountId: string; region: string };
  substitutions?: ({ text: string; replacement: string } | { regex: string; replacement: string })[];
  /** Names of the states entered, in history order (history-recorded cases only). */
  states?: string[];
}

export function loadCorpus(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const file of readdirSync(CORPUS_DIR).sort()) {
    if (!file.endsWith('.json') || file === 'summary.json' || file === 'known-differences.json') continue;
    const list = JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as Omit<ConformanceCase, 'id'>[];
    for (const c of list) cases.push({ ...c, id: `${file.replace(/\.json$/, '')}::${c.name}` });
  }
  return cases;
}

const ISO = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** The corpus normalisation: substitutions on the JSON text, then ISO-8601 timestamps become `date`. */
function normalise(value: unknown, c: ConformanceCase): unknown {
  if (value === undefined) return undefined;
  let text = JSON.stringify(value);
  for (const s of c.substitutions ?? []) {
    if ('text' in s) text = text.split(s.text).join(s.replacement);
    else text = text.replace(new RegExp(s.regex, 'g'), s.replacement);
  }
  const parsed = JSON.parse(text) as unknown;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(ISO, 'date');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(parsed);
}

function pathKey(path: string): string {
  // "$.output.a["b-c"][0]" -> "output.a.b-c.0"
  return path
    .replace(/^\$\.?/, '')
    .replace(/\["([^"]*)"\]/g, '.$1')
    .replace(/\['([^']*)'\]/g, '.$1')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^\./, '');
}

/** Deep comparison; values at normalised paths only need to be present. Returns the first difference. */
function diff(actual: unknown, expected: unknown, at: string, wildcards: Set<string>): string | undefined {
  if (wildcards.has(at)) return actual === undefined ? `${at}: missing` : undefined;
  if (expected === null || typeof expected !== 'object') {
    return Object.is(actual, expected) || actual === expected
      ? undefined
      : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = diff(actual[i], expected[i], at ? `${at}.${i}` : String(i), wildcards);
      if (d) return d;
    }
    return undefined;
  }
  if (!actual || typeof actual !== 'object' || Array.isArray(actual)) {
    return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
  for (const k of keys) {
    const d = diff(a[k], e[k], at ? `${at}.${k}` : k, wildcards);
    if (d) return d;
  }
  return undefined;
}

function registerLambdas(engine: StepFunctionsEngine, clock: VirtualClock, c: ConformanceCase): void {
  for (const [name, spec] of Object.entries(c.lambdas ?? {})) {
    engine.registerLambda(name, async (payload, { signal }) => {
      if (spec.delaySeconds) await clock.sleep(spec.delaySeconds * 1000, signal);
      switch (spec.behaviour) {
        case 'echo':
          return payload;
        case 'return':
          return spec.value;
        case 'return-raw':
          return 'a'.repeat(263_168);
        case 'raise': {
          const recorded = c.recordedTaskFailures?.find((f) => f.error === spec.errorType)?.cause;
          throw recorded && typeof recorded === 'object'
            ? recorded
            : { errorMessage: spec.errorMessage ?? '', errorType: spec.errorType ?? 'Exception' };
        }
      }
    });
  }
}

/** Runs a case; returns undefined when it passes, else a one-line description of the difference. */
export async function runCase(c: ConformanceCase): Promise<string | undefined> {
  const clock = new VirtualClock({ start: Date.now() });
  const engine = new StepFunctionsEngine({
    clock,
    accountId: c.context.accountId,
    region: c.context.region,
    roleArn: c.context.roleArn,
  });
  registerLambdas(engine, clock, c);
  let arn: string;
  try {
    arn = engine.createStateMachine({
      name: c.context.stateMachineName,
      definition: c.definition as object,
      type: c.stateMachineType ?? 'STANDARD',
    });
  } catch (error) {
    return `createStateMachine: ${(error as Error).message}`;
  }
  const start = { stateMachineArn: arn, name: c.context.executionName, input: c.inputOmitted ? {} : c.input };
  // The express_sync module records StartSyncExecution; every other case StartExecution.
  const entered: string[] = [];
  engine.onEvent((event) => {
    if (event.type.endsWith('StateEntered')) entered.push(String(event.details?.name));
  });
  const result = c.id.startsWith('express.test_express_sync')
    ? await engine.startSyncExecution(start)
    : await engine.startExecution(start).done;
  if (c.states) {
    // Branches and iterations interleave differently from run to run: compare as multisets.
    const sorted = (list: string[]) => [...list].sort().join(',');
    if (sorted(entered) !== sorted(c.states)) {
      return `states entered: expected ${JSON.stringify(c.states)}, got ${JSON.stringify(entered)}`;
    }
  }
  const expected = c.expected;
  if (result.status !== expected.status) {
    return `status: expected ${expected.status}, got ${result.status} (${result.error ?? ''}: ${result.cause ?? ''})`;
  }
  const wildcards = new Set((c.normalizedPaths ?? []).map(pathKey));
  if (expected.status === 'SUCCEEDED') {
    const output = normalise(JSON.parse(result.output ?? 'null'), c);
    return diff(output, expected.output, 'output', wildcards);
  }
  if (expected.status === 'FAILED') {
    const error = normalise(result.error, c);
    if (error !== expected.error)
      return `error: expected ${JSON.stringify(expected.error)}, got ${JSON.stringify(error)}`;
    let cause: unknown = result.cause;
    if (expected.causeIsJson && typeof cause === 'string') {
      try {
        cause = JSON.parse(cause);
      } catch {
        return `cause: expected JSON, got ${cause}`;
      }
    }
    return diff(normalise(cause, c), expected.cause ?? undefined, 'cause', wildcards);
  }
  return undefined;
}
