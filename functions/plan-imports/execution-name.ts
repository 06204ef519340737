import { createHash } from 'node:crypto';

/** Step Functions execution names: 1 to 80 characters, letters, digits, `-` and `_` are always safe. */
const MAX_NAME_LENGTH = 80;

/**
 * The deterministic name of one table-hour import: `<table>-<hour>-<source>`. Step Functions keeps a name unique
 * per state machine for 90 days, so a duplicated trigger (same EMR step delivered twice) cannot start a second
 * import. Too long a name keeps its readable start and ends in a hash of the whole, so it stays unique.
 */
export function importExecutionName(table: string, hour: string, source: string): string {
  const name = `${table}-${hour}-${source}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length <= MAX_NAME_LENGTH) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, MAX_NAME_LENGTH - digest.length - 1)}-${digest}`;
}
