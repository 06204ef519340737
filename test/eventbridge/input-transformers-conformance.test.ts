import { describe, expect, it } from 'vitest';
import {
  type InputTransformer,
  transformTargetInput,
  validateTargetInput,
} from '../../local/eventbridge/input-transformer.ts';
import { knownDifferences, readCorpus } from './conformance-support.ts';

interface TransformerCase {
  readonly name: string;
  readonly event: Record<string, unknown>;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
  readonly context?: Record<string, string>;
  readonly expected:
    | { readonly delivered: true; readonly payloadText?: string; readonly payloadJson?: unknown }
    | { readonly delivered: false }
    | { readonly putTargetsError: { readonly code: string; readonly message: string } };
}

/** `<uuid:N>` and `<ingestion-time>` are snapshot placeholders for values that differ per run: wildcards. */
function normalize(expected: unknown, actual: unknown): unknown {
  if (typeof expected === 'string' && /^<uuid:\d+>$|^<ingestion-time>$/.test(expected)) {
    return typeof actual === 'string' ? actual : expected;
  }
  if (Array.isArray(expected)) {
    return expected.map((e, i) => normalize(e, Array.isArray(actual) ? actual[i] : undefined));
  }
  if (typeof expected === 'object' && expected !== null) {
    const actualRecord = (typeof actual === 'object' && actual !== null ? actual : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, normalize(v, actualRecord[k])]));
  }
  return expected;
}

type Outcome =
  | { kind: 'rejected'; code: string; message: string }
  | { kind: 'dropped' }
  | { kind: 'delivered'; text: string };

function run(testCase: TransformerCase): Outcome {
  const options = { inputPath: testCase.inputPath, inputTransformer: testCase.inputTransformer };
  try {
    validateTargetInput('<target-id>', options);
  } catch (error) {
    const err = error as Error & { code: string };
    return { kind: 'rejected', code: err.code, message: err.message };
  }
  const context = {
    ruleArn: testCase.context?.['aws.events.rule-arn'] ?? 'arn:aws:events:us-east-1:111111111111:rule/bus/rule',
    ruleName: testCase.context?.['aws.events.rule-name'] ?? 'rule',
    ingestionTime: testCase.context?.['aws.events.event.ingestion-time'] ?? 'date',
  };
  const result = transformTargetInput(testCase.event, options, context);
  return result.delivered ? { kind: 'delivered', text: result.text } : { kind: 'dropped' };
}

function check(testCase: TransformerCase, outcome: Outcome): void {
  const expected = testCase.expected;
  if ('putTargetsError' in expected) {
    expect(outcome).toEqual({ kind: 'rejected', ...expected.putTargetsError });
  } else if (!expected.delivered) {
    expect(outcome).toEqual({ kind: 'dropped' });
  } else {
    expect(outcome.kind).toBe('delivered');
    const text = outcome.kind === 'delivered' ? outcome.text : '';
    if (expected.payloadText !== undefined) {
      expect(text).toBe(expected.payloadText);
    } else {
      const actual = JSON.parse(text) as unknown;
      expect(actual).toEqual(normalize(expected.payloadJson, actual));
    }
  }
}

const cases = readCorpus<TransformerCase>('input-transformers.json');
const known = knownDifferences('input-transformers.json');

describe('EventBridge InputPath / InputTransformer conformance (recorded against AWS)', () => {
  it('has the whole corpus and no stale known difference', () => {
    expect(cases).toHaveLength(32);
    const names = new Set(cases.map((c) => c.name));
    expect([...known.keys()].filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const outcome = run(testCase);
    if (known.has(testCase.name)) {
      let passes = true;
      try {
        check(testCase, outcome);
      } catch {
        passes = false;
      }
      expect(passes, `known difference now passes: ${known.get(testCase.name)}`).toBe(false);
      return;
    }
    check(testCase, outcome);
  });
});
