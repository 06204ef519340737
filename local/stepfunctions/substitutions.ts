/**
 * `${Name}` definition substitutions, as CloudFormation's DefinitionSubstitutions applies them: on the definition
 * text, every `${Name}` whose Name is a key is replaced by the value's text; other `${...}` are left alone.
 */
export type Substitutions = Readonly<Record<string, string | number | boolean>>;

export function applySubstitutions(definition: string, substitutions: Substitutions | undefined): string {
  if (!substitutions || Object.keys(substitutions).length === 0) return definition;
  return definition.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
    Object.hasOwn(substitutions, name) ? String(substitutions[name]) : whole,
  );
}
