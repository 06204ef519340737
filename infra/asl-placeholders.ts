import { readFileSync } from 'node:fs';
import { DefinitionSubstitutionError } from './errors.ts';

// Step Functions definition substitutions: `${Name}` anywhere in the definition text.
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The `${...}` placeholder names in an ASL definition text, sorted. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((match) => match[1] as string))].sort();
}

/** Replaces every `${Name}` with its substitution, as Step Functions does at creation. */
export function substitute(definition: string, substitutions: Readonly<Record<string, string>>): string {
  return definition.replace(PLACEHOLDER, (whole, name: string) => substitutions[name] ?? whole);
}

/**
 * Fails the synth when the file's placeholders and the substitutions differ: a missing one would deploy a machine
 * that fails at runtime, an unused one is a sign of a renamed placeholder.
 */
export function checkSubstitutions(file: string, substitutions: Readonly<Record<string, string>>): void {
  const placeholders = placeholdersIn(readFileSync(file, 'utf8'));
  const given = Object.keys(substitutions).sort();
  const missing = placeholders.filter((name) => !given.includes(name));
  const unused = given.filter((name) => !placeholders.includes(name));
  if (missing.length > 0) throw new DefinitionSubstitutionError(file, `no substitution for ${missing.join(', ')}`);
  if (unused.length > 0) throw new DefinitionSubstitutionError(file, `substitutions not used: ${unused.join(', ')}`);
}
