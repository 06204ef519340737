import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSubstitutions, placeholdersIn, substitute } from '../../infra/asl-placeholders.ts';
import {
  IMPORT_ASL_FILE,
  IMPORT_STATE_MACHINE_NAME,
  ORCHESTRATOR_ASL_FILE,
  ORCHESTRATOR_STATE_MACHINE_NAME,
} from '../../infra/constructs/import-state-machines.ts';
import { DefinitionSubstitutionError } from '../../infra/errors.ts';
import { projectRoot, SYNTH_TIMEOUT_MS, synthStack } from './synth-stack.ts';

// asl-validator is CommonJS without type declarations.
const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

const definitionsDir = path.join(projectRoot, 'infra', 'state-machines');
const machines = [
  { name: IMPORT_STATE_MACHINE_NAME, file: path.join(definitionsDir, IMPORT_ASL_FILE) },
  { name: ORCHESTRATOR_STATE_MACHINE_NAME, file: path.join(definitionsDir, ORCHESTRATOR_ASL_FILE) },
];

/** Values shaped like what CloudFormation substitutes (ARNs, names, a number). */
function dummySubstitutions(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      if (name === 'LightMaxConcurrency') return [name, '4'];
      if (name === 'AthenaWorkGroup') return [name, 'aurora-imports'];
      if (name === 'AthenaOutputLocation') return [name, 's3://results-bucket/results/'];
      if (name === 'ImportStateMachineArn') {
        return [name, `arn:aws:states:eu-west-1:123456789012:stateMachine:${IMPORT_STATE_MACHINE_NAME}`];
      }
      return [name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`];
    }),
  );
}

describe('ASL definitions and their substitutions', { timeout: SYNTH_TIMEOUT_MS }, () => {
  let substitutionsByMachine: Map<string, string[]>;

  beforeAll(() => {
    const { template } = synthStack();
    substitutionsByMachine = new Map();
    for (const resource of Object.values(template.findResources('AWS::StepFunctions::StateMachine'))) {
      const properties = resource.Properties as { StateMachineName: string; DefinitionSubstitutions: object };
      substitutionsByMachine.set(properties.StateMachineName, Object.keys(properties.DefinitionSubstitutions).sort());
    }
  }, SYNTH_TIMEOUT_MS);

  for (const machine of machines) {
    it(`${machine.name}: every \${...} has a substitution and every substitution is used`, () => {
      const placeholders = placeholdersIn(readFileSync(machine.file, 'utf8'));
      expect(placeholders.length).toBeGreaterThan(0);
      expect(substitutionsByMachine.get(machine.name)).toEqual(placeholders);
    });

    it(`${machine.name}: passes asl-validator once substituted`, () => {
      const text = readFileSync(machine.file, 'utf8');
      const substituted = substitute(text, dummySubstitutions(placeholdersIn(text)));
      expect(placeholdersIn(substituted)).toEqual([]);
      const result = validateAsl(JSON.parse(substituted));
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    });
  }

  it('the orchestrator takes its light Map concurrency from a substitution', () => {
    const orchestrator = readFileSync(machines[1]!.file, 'utf8');
    expect(orchestrator).toMatch(/"MaxConcurrency": "\{% \$\{LightMaxConcurrency\} %\}"/);
  });

  it('asl-validator rejects a definition with a dangling transition (the check is not vacuous)', () => {
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it('checkSubstitutions names missing and unused substitutions', () => {
    const file = machines[0]!.file;
    const all = dummySubstitutions(placeholdersIn(readFileSync(file, 'utf8')));
    expect(() => checkSubstitutions(file, all)).not.toThrow();
    const { AthenaWorkGroup: _dropped, ...missingOne } = all;
    expect(() => checkSubstitutions(file, missingOne)).toThrow(DefinitionSubstitutionError);
    expect(() => checkSubstitutions(file, missingOne)).toThrow(/no substitution for AthenaWorkGroup/);
    expect(() => checkSubstitutions(file, { ...all, Extra: 'x' })).toThrow(/substitutions not used: Extra/);
  });
});
