import type { ImportRequest } from './import-result.ts';

/** The import's database pressure and time settings that come from the Lambda environment. */
export type ImportLimits = Pick<ImportRequest, 'heavySlots' | 'lightSlots' | 'mergeRowsPerSecond'>;

/** An environment variable of the import Lambda holds a value it cannot use. */
export class ImportLimitsConfigError extends Error {
  override readonly name = 'ImportLimitsConfigError';
}

function positive(env: Readonly<Record<string, string | undefined>>, name: string, whole: boolean): number | undefined {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value)))
    throw new ImportLimitsConfigError(`${name} must be a ${whole ? 'whole number ≥ 1' : 'number > 0'}, got '${text}'`);
  return value;
}

/**
 * Reads `HEAVY_SLOTS`, `LIGHT_SLOTS` (whole numbers ≥ 1) and `MERGE_ROWS_PER_SECOND` (> 0); unset or empty leaves the
 * import's default (1, 4, 20,000). Throws `ImportLimitsConfigError` naming the variable. Spread the result into the
 * `ImportRequest`.
 */
export function importLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): ImportLimits {
  const heavySlots = positive(env, 'HEAVY_SLOTS', true);
  const lightSlots = positive(env, 'LIGHT_SLOTS', true);
  const mergeRowsPerSecond = positive(env, 'MERGE_ROWS_PER_SECOND', false);
  return {
    ...(heavySlots === undefined ? {} : { heavySlots }),
    ...(lightSlots === undefined ? {} : { lightSlots }),
    ...(mergeRowsPerSecond === undefined ? {} : { mergeRowsPerSecond }),
  };
}
