import type { CompiledPattern } from './compiled-pattern.ts';
import { InvalidEventParameterError } from './errors.ts';
import { parseJsonText } from './json-text.ts';
import { matchesPattern } from './pattern-matching.ts';
import { compileEventPattern } from './pattern-validation.ts';

/** The envelope fields TestEventPattern insists on (`resources`, `version` and `detail` are optional there). */
const REQUIRED_ENVELOPE_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/**
 * Checks that an event (JSON text or parsed) is an object carrying the envelope fields TestEventPattern requires.
 * Throws {@link InvalidEventParameterError} (`Parameter Event is not valid.`) otherwise.
 */
export function parseTestEvent(event: unknown): Record<string, unknown> {
  let value = event;
  if (typeof event === 'string') {
    const parsed = parseJsonText(event);
    if (!parsed.ok) throw new InvalidEventParameterError(`not JSON: ${parsed.reason}`);
    value = parsed.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidEventParameterError('the event must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const missing = REQUIRED_ENVELOPE_FIELDS.filter((field) => !(field in record));
  if (missing.length > 0) throw new InvalidEventParameterError(`missing envelope field(s): ${missing.join(', ')}`);
  return record;
}

/**
 * The local `TestEventPattern`: validates both inputs like AWS and tells whether the event matches.
 * Throws `InvalidEventPatternError` or `InvalidEventParameterError`.
 */
export function testEventPattern(pattern: unknown, event: unknown): boolean {
  const compiled: CompiledPattern = compileEventPattern(pattern);
  return matchesPattern(compiled, parseTestEvent(event));
}
