/**
 * The Step Functions conformance corpus (recorded on real AWS, see test/conformance/stepfunctions/README.md): one
 * test per case. A case listed in known-differences.json is expected to fail (the test checks that it still does,
 * so the list stays true); every other case must pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, loadCorpus, runCase } from './conformance-harness.ts';

const cases = loadCorpus();
const knownDifferences = JSON.parse(readFileSync(join(CORPUS_DIR, 'known-differences.json'), 'utf8')) as {
  cases: Record<string, string>;
};
const known = knownDifferences.cases;
let passed = 0;
const unexpectedlyPassing: string[] = [];
const unexpectedlyFailing: string[] = [];

describe('Step Functions conformance corpus', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const difference = await runCase(c);
      if (difference === undefined) passed++;
      if (c.id in known) {
        if (difference === undefined) unexpectedlyPassing.push(c.id);
        expect(
          difference,
          `listed in known-differences.json (${known[c.id]}) but passes: remove it from the list`,
        ).toBeDefined();
      } else {
        if (difference !== undefined) unexpectedlyFailing.push(c.id);
        expect(difference).toBeUndefined();
      }
    });
  }

  it('known-differences.json is exact: it names only corpus cases, all of them failing, and no other case fails', () => {
    const ids = new Set(cases.map((c) => c.id));
    expect(Object.keys(known).filter((id) => !ids.has(id))).toEqual([]);
    expect(unexpectedlyPassing).toEqual([]);
    expect(unexpectedlyFailing).toEqual([]);
    expect(passed + Object.keys(known).length).toBe(cases.length);
  });

  afterAll(() => {
    console.log(
      `Step Functions conformance: ${passed}/${cases.length} cases pass (${Object.keys(known).length} known differences)`,
    );
  });
});
