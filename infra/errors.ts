/** A CDK context value (`-c auroraImports:<key>=...` or `cdk.json`) is missing or malformed. */
export class InvalidContextError extends Error {
  override readonly name = 'InvalidContextError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`context value "${key}" ${reason}`);
  }
}

/** The table catalog read at synth time (to scope permissions and alarms) is unreadable or malformed. */
export class CatalogReadError extends Error {
  override readonly name = 'CatalogReadError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`catalog ${file}: ${reason}`);
  }
}

/** An ASL file's `${...}` placeholders and the substitutions given to it differ. */
export class DefinitionSubstitutionError extends Error {
  override readonly name = 'DefinitionSubstitutionError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** A file in `schemas/events/` is not a JSON Schema the registry can take. */
export class EventSchemaFileError extends Error {
  override readonly name = 'EventSchemaFileError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** A function's `functions/<name>/handler.ts` does not exist, so it cannot be bundled. */
export class MissingHandlerError extends Error {
  override readonly name = 'MissingHandlerError';
  constructor(
    readonly file: string,
    readonly functionName: string,
  ) {
    super(`Lambda handler ${file} does not exist: cannot bundle ${functionName}`);
  }
}
