/**
 * An hour of data, always UTC, written `2026-11-27T10` on the command line, in events and in the ledger.
 * Parsed once at the edge; everything inside works with this value, never with free text.
 */
export interface Hour {
  /** Canonical text form, `YYYY-MM-DDTHH`. */
  readonly text: string;
  /** Start of the hour (inclusive), UTC. */
  readonly start: Date;
}

const HOUR_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

/** Thrown when a value is not an hour in the `YYYY-MM-DDTHH` form. */
export class InvalidHourError extends Error {
  override readonly name = 'InvalidHourError';
}

/** Parses `2026-11-27T10`; rejects anything else, including impossible dates such as `2026-02-30T10`. */
export function parseHour(text: string, what = 'hour'): Hour {
  const match = HOUR_PATTERN.exec(text);
  if (!match)
    throw new InvalidHourError(`${what} '${text}' is not an hour written YYYY-MM-DDTHH (UTC), e.g. 2026-11-27T10`);
  const [, y, mo, d, h] = match.map(Number) as [number, number, number, number, number];
  const start = new Date(Date.UTC(y, mo - 1, d, h));
  if (
    start.getUTCFullYear() !== y ||
    start.getUTCMonth() !== mo - 1 ||
    start.getUTCDate() !== d ||
    start.getUTCHours() !== h
  ) {
    throw new InvalidHourError(`${what} '${text}' is not a real UTC hour`);
  }
  return { text, start };
}

/** The hour that contains `date`. */
export function hourOf(date: Date): Hour {
  return parseHour(date.toISOString().slice(0, 13));
}

/** `hour` moved by `hours` (may be negative). */
export function addHours(hour: Hour, hours: number): Hour {
  return hourOf(new Date(hour.start.getTime() + hours * 3_600_000));
}

/** Every hour from `from` to `to`, both inclusive, oldest first. */
export function hoursBetween(from: Hour, to: Hour): Hour[] {
  const hours: Hour[] = [];
  for (let t = from.start.getTime(); t <= to.start.getTime(); t += 3_600_000) hours.push(hourOf(new Date(t)));
  return hours;
}

/** `2026-11-27 10:00:00`: the hour as an SQL timestamp literal body (Athena and PostgreSQL). */
export function hourTimestampText(hour: Hour): string {
  return `${hour.text.slice(0, 10)} ${hour.text.slice(11, 13)}:00:00`;
}
