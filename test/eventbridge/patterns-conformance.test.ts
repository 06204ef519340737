import { describe, expect, it } from 'vitest';
import { testEventPattern } from '../../local/eventbridge/event-pattern.ts';
import { knownDifferences, readCorpus } from './conformance-support.ts';

interface PatternCase {
  readonly name: string;
  readonly event?: unknown;
  readonly pattern?: unknown;
  readonly eventJson?: string;
  readonly patternJson?: string;
  readonly expected: 'match' | 'no-match' | 'invalid';
  readonly errorCode?: string;
  readonly error?: string;
}

type Outcome = { result: 'match' | 'no-match' } | { result: 'invalid'; code: string; message: string };

function run(testCase: PatternCase): Outcome {
  try {
    // The exact strings AWS received where they matter (number spelling, duplicate keys); else the parsed values.
    const matched = testEventPattern(testCase.patternJson ?? testCase.pattern, testCase.eventJson ?? testCase.event);
    return { result: matched ? 'match' : 'no-match' };
  } catch (error) {
    const err = error as Error & { code?: string };
    return { result: 'invalid', code: err.code ?? err.name, message: err.message };
  }
}

function agrees(testCase: PatternCase, outcome: Outcome): boolean {
  if (outcome.result !== testCase.expected) return false;
  if (outcome.result === 'invalid') return outcome.code === testCase.errorCode && outcome.message === testCase.error;
  return true;
}

const cases = readCorpus<PatternCase>('patterns.json');
const known = knownDifferences('patterns.json');

describe('EventBridge pattern conformance (recorded against AWS)', () => {
  it('has the whole corpus and no stale known difference', () => {
    expect(cases).toHaveLength(176);
    const names = new Set(cases.map((c) => c.name));
    expect([...known.keys()].filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const outcome = run(testCase);
    if (known.has(testCase.name)) {
      // A listed case must still fail; if it passes, remove it from known-differences.json.
      expect(agrees(testCase, outcome), `known difference now passes: ${known.get(testCase.name)}`).toBe(false);
      return;
    }
    if (testCase.expected === 'invalid') {
      expect(outcome).toEqual({ result: 'invalid', code: testCase.errorCode, message: testCase.error });
    } else {
      expect(outcome).toEqual({ result: testCase.expected });
    }
  });
});
