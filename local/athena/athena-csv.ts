/**
 * Athena's result CSV (design.md section 2), one field at a time: every non-null value double-quoted with inner
 * quotes doubled, NULL an empty unquoted field, lines ending in `\n`. PostgreSQL `COPY ... (FORMAT csv, HEADER true)`
 * reads it back with NULL and '' kept apart.
 */

/** One CSV field: `null` → empty and unquoted; any text (even '') → quoted. */
export function csvField(value: string | null): string {
  return value === null ? '' : `"${value.replaceAll('"', '""')}"`;
}

/** One CSV line, `\n`-terminated. */
export function csvLine(values: readonly (string | null)[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * A `double` as Athena (Java's `Double.toString`) prints it: the shortest digits that read back to the same value,
 * plain between 10^-3 and 10^7 (`2.0`, `0.125`, `1234567.5`), otherwise `1.0E7` / `1.5E-4`; `NaN`, `Infinity`.
 */
export function formatAthenaDouble(value: number): string {
  return javaFloatingText(value, shortestDigits(value, false));
}

/** A `real` (float32) as Athena (Java's `Float.toString`) prints it: shortest digits that read back as that float. */
export function formatAthenaReal(value: number): string {
  return javaFloatingText(value, shortestDigits(value, true));
}

interface Digits {
  /** Significant digits, no leading or trailing zeros (at least one digit). */
  readonly digits: string;
  /** Decimal exponent of the first digit: value = 0.d1d2... × 10^(exponent + 1). */
  readonly exponent: number;
}

function shortestDigits(value: number, float32: boolean): Digits {
  let text = Math.abs(value).toExponential();
  if (float32) {
    const target = Math.fround(Math.abs(value));
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = target.toExponential(precision - 1);
      if (Math.fround(Number(candidate)) === target) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exponent] = text.split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exponent: Number(exponent) };
}

function javaFloatingText(value: number, { digits, exponent }: Digits): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0.0`;
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1) || '0';
      return `${sign}${whole}.${fraction}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`;
}
