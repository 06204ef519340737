/**
 * JSON parsing that explains a syntax error the way EventBridge (Jackson) does, so `test-event-pattern` prints the
 * reason AWS would print, e.g. `Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or
 * token 'null', 'true' or 'false')`.
 */

export type JsonParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

const EXPECTING_VALUE = "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** Parses JSON text; on failure returns Jackson's wording of the first error. Duplicate keys: the last one wins. */
export function parseJsonText(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: explainSyntaxError(text) ?? (error as Error).message };
  }
}

/** A tiny recursive-descent scan that finds the first offending token; undefined if it cannot tell. */
function explainSyntaxError(text: string): string | undefined {
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos] ?? '')) pos++;
  };
  const unexpected = (what: string): string => {
    const ch = text[pos];
    if (ch === undefined) return `Unexpected end-of-input: ${what}`;
    return `Unexpected character ('${ch}' (code ${ch.codePointAt(0)})): ${what}`;
  };
  const scanString = (): string | undefined => {
    pos++; // opening quote
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\\') pos += 2;
      else if (ch === '"') {
        pos++;
        return undefined;
      } else pos++;
    }
    return 'Unexpected end-of-input: was expecting closing quote for a string value';
  };
  const scanValue = (): string | undefined => {
    skipSpace();
    const ch = text[pos];
    if (ch === undefined) return `Unexpected end-of-input: ${EXPECTING_VALUE}`;
    if (ch === '{') return scanObject();
    if (ch === '[') return scanArray();
    if (ch === '"') return scanString();
    const word = /^[A-Za-z0-9_+\-.]+/.exec(text.slice(pos))?.[0];
    if (word === undefined)
      return unexpected(
        "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
      );
    if (['true', 'false', 'null'].includes(word) || /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) {
      pos += word.length;
      return undefined;
    }
    return `Unrecognized token '${word}': ${EXPECTING_VALUE}`;
  };
  const scanObject = (): string | undefined => {
    pos++;
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return undefined;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') return unexpected('was expecting double-quote to start field name');
      const stringError = scanString();
      if (stringError) return stringError;
      skipSpace();
      if (text[pos] !== ':') return unexpected('was expecting a colon to separate field name and value');
      pos++;
      const valueError = scanValue();
      if (valueError) return valueError;
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return undefined;
      }
      return unexpected('was expecting comma to separate Object entries');
    }
  };
  const scanArray = (): string | undefined => {
    pos++;
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return undefined;
    }
    for (;;) {
      const valueError = scanValue();
      if (valueError) return valueError;
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return undefined;
      }
      return unexpected('was expecting comma to separate Array entries');
    }
  };
  const error = scanValue();
  if (error) return error;
  skipSpace();
  if (pos < text.length) return unexpected('expected end of input');
  return undefined;
}
