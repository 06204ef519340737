import type { Hour } from '../hour.ts';
import { hourTimestampText } from '../hour.ts';
import type { TableSpec } from './catalog-types.ts';
import { IDENTIFIER_PATTERN } from './catalog-types.ts';

/** The Athena query for one table and hour, ready for `StartQueryExecution`. */
export interface AthenaQuery {
  readonly queryString: string;
  /** The Athena (Glue) database, for `QueryExecutionContext.Database`. */
  readonly database: string;
}

/** A catalog value that must not reach SQL: an identifier or a partition format the query builder refuses. */
export class UnsafeQueryInputError extends Error {
  override readonly name = 'UnsafeQueryInputError';
}

/**
 * Builds the Athena query that reads one hour of a catalog table (design.md section 4): the catalog's columns, in
 * catalog order, each double-quoted, from `"<source.database>"."<source.table>"`.
 *
 * - By default it filters `WHERE "<partitionColumn>" = TIMESTAMP '2026-11-27 10:00:00'`.
 * - A source with Hive-style string partitions (`source.partitions`, e.g. `{"dt": "yyyy-MM-dd", "hr": "HH"}`)
 *   filters on each of those columns, with the hour written in that column's format.
 *
 * Identifiers are checked against IDENTIFIER_PATTERN again here (the catalog loader checks them too: defence in
 * depth), and every value in the query comes from the parsed `hour`, never from free text.
 *
 * The partition column's values print as Athena prints a `timestamp` (`2026-11-27 10:00:00.000`): Hive-partitioned
 * sources still carry the partition column as a real column in their data files.
 */
export function buildAthenaQuery(table: TableSpec, hour: Hour): AthenaQuery {
  const what = `table '${table.name}'`;
  const database = checkedIdentifier(table.source.database, `${what} source.database`);
  const sourceTable = checkedIdentifier(table.source.table, `${what} source.table`);
  if (table.columns.length === 0) throw new UnsafeQueryInputError(`${what} has no columns to select`);
  const columns = table.columns.map((column) => quoteIdentifier(checkedIdentifier(column.name, `${what} column`)));
  const conditions = partitionConditions(table, hour);
  const queryString = `SELECT ${columns.join(', ')} FROM ${quoteIdentifier(database)}.${quoteIdentifier(sourceTable)} WHERE ${conditions.join(' AND ')}`;
  return { queryString, database };
}

function partitionConditions(table: TableSpec, hour: Hour): string[] {
  const what = `table '${table.name}'`;
  const partitions = table.source.partitions;
  if (partitions === undefined) {
    const column = checkedIdentifier(table.partitionColumn, `${what} partitionColumn`);
    return [`${quoteIdentifier(column)} = TIMESTAMP '${hourTimestampText(hour)}'`];
  }
  const entries = Object.entries(partitions);
  if (entries.length === 0) throw new UnsafeQueryInputError(`${what} source.partitions is empty`);
  return entries.map(([column, pattern]) => {
    const name = checkedIdentifier(column, `${what} source.partitions key`);
    return `${quoteIdentifier(name)} = '${formatHourWithPattern(hour, pattern, `${what} source.partitions.${name}`)}'`;
  });
}

/**
 * Writes the hour with a Joda/Java-style date pattern: `yyyy`, `MM`, `dd`, `HH` and the literal separators
 * `-`, `/`, `_`, `:`, `.`, space, digits, and inside single quotes also `T` (as Joda/Java patterns quote letters). Anything else is refused,
 * so the result only ever holds digits and those separators and is safe inside an SQL string literal.
 */
export function formatHourWithPattern(hour: Hour, pattern: string, what = 'partition format'): string {
  const fields: Record<string, string> = {
    yyyy: hour.text.slice(0, 4),
    MM: hour.text.slice(5, 7),
    dd: hour.text.slice(8, 10),
    HH: hour.text.slice(11, 13),
  };
  let out = '';
  let index = 0;
  while (index < pattern.length) {
    const rest = pattern.slice(index);
    const field = Object.keys(fields).find((key) => rest.startsWith(key));
    if (field !== undefined) {
      out += fields[field];
      index += field.length;
      continue;
    }
    const char = pattern[index]!;
    if (char === "'") {
      const end = pattern.indexOf("'", index + 1);
      if (end === -1) throw new UnsafeQueryInputError(`${what} '${pattern}' has an unterminated quote`);
      const literal = end === index + 1 ? "'" : pattern.slice(index + 1, end);
      if (literal === "'" || !SAFE_LITERAL.test(literal))
        throw new UnsafeQueryInputError(`${what} '${pattern}' quotes a literal other than ${SAFE_LITERAL_TEXT}`);
      out += literal;
      index = end + 1;
      continue;
    }
    if (SAFE_SEPARATOR.test(char)) {
      out += char;
      index += 1;
      continue;
    }
    throw new UnsafeQueryInputError(
      `${what} '${pattern}' has '${char}' at position ${index + 1}: only yyyy, MM, dd, HH and the separators ${SAFE_LITERAL_TEXT} are supported`,
    );
  }
  if (out === '') throw new UnsafeQueryInputError(`${what} is empty`);
  return out;
}

/** Unquoted separators; letters (such as `T`) must be quoted, as in Joda/Java patterns. */
const SAFE_SEPARATOR = /^[-/_:. 0-9]$/;
const SAFE_LITERAL = /^[-/_:. 0-9T]+$/;
const SAFE_LITERAL_TEXT = "- / _ : . space, digits and 'T'";

/** `name` when it matches IDENTIFIER_PATTERN (safe to quote into SQL), else `UnsafeQueryInputError` naming `what`. */
export function checkedIdentifier(name: string, what: string): string {
  if (!IDENTIFIER_PATTERN.test(name))
    throw new UnsafeQueryInputError(`${what} '${name}' is not an identifier matching ${IDENTIFIER_PATTERN}`);
  return name;
}

/** A double-quoted SQL identifier; only for names `checkedIdentifier` passed (they hold no quote). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier}"`;
}
