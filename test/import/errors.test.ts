import { describe, expect, it } from 'vitest';
import {
  classifyDatabaseError,
  ImportTransientError,
  ImportValidationError,
  RETRYABLE_ERROR_NAMES,
} from '../../functions/shared/errors.ts';

function pgError(code: string, message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...fields });
}

describe('classifyDatabaseError', () => {
  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
  ])('SQLSTATE %s is transient', (code, message) => {
    const error = classifyDatabaseError(pgError(code, message), 't');
    expect(error).toBeInstanceOf(ImportTransientError);
    expect((error as ImportTransientError).name).toBe('ImportTransientError');
    expect((error as ImportTransientError).code).toBe(code);
    expect((error as Error).message).toBe(`t: ${message} (SQLSTATE ${code})`);
    expect(RETRYABLE_ERROR_NAMES).toContain((error as Error).name);
  });

  it('network failures and pg connection loss are transient', () => {
    expect(classifyDatabaseError(pgError('ECONNRESET', 'read ECONNRESET'), 't')).toBeInstanceOf(ImportTransientError);
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'), 't')).toBeInstanceOf(
      ImportTransientError,
    );
  });

  it('data errors become validation errors with the line and column COPY reports', () => {
    const error = classifyDatabaseError(
      pgError('22P02', 'invalid input syntax for type integer: "x"', {
        where: 'COPY import_staging, line 3, column plays: "x"',
      }),
      'show_plays_hourly',
    );
    expect(error).toBeInstanceOf(ImportValidationError);
    expect((error as Error).message).toBe(
      'show_plays_hourly: invalid input syntax for type integer: "x" (line 3, column plays: "x") [SQLSTATE 22P02]',
    );
  });

  it('leaves other errors unchanged (bugs and misconfiguration surface as they are)', () => {
    const syntax = pgError('42601', 'syntax error');
    expect(classifyDatabaseError(syntax, 't')).toBe(syntax);
    const plain = new Error('boom');
    expect(classifyDatabaseError(plain, 't')).toBe(plain);
    const typed = new ImportValidationError('t', 'bad');
    expect(classifyDatabaseError(typed, 't')).toBe(typed);
  });
});
