import { describe, expect, it } from 'vitest';
import { matchCause } from '../../functions/classify-athena-error/cause-classes.ts';
import { decideAthenaRetry } from '../../functions/classify-athena-error/classify-athena-error.ts';
import {
  backoffDelaySeconds,
  DEFAULT_RETRY_POLICY,
  RetryPolicyConfigError,
  retryPolicyFromEnv,
} from '../../functions/classify-athena-error/retry-policy.ts';

const failure = (error: string, cause: string, attempt = 1) => ({
  table: 'show_plays_hourly',
  hour: '2026-11-27T10',
  error,
  cause,
  attempt,
  correlationId: 'c-1',
});

describe('matchCause', () => {
  it.each([
    ['Athena.TooManyRequestsException', 'Rate exceeded', 'throttling', true],
    [
      'Athena.AmazonAthenaException',
      'Rate exceeded (Service: AmazonAthena; Status Code: 400; Error Code: ThrottlingException; Request ID: 1)',
      'throttling',
      true,
    ],
    [
      'Athena.AmazonAthenaException',
      'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://b/k: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: SlowDown)',
      's3-slowdown',
      true,
    ],
    [
      'Athena.AmazonAthenaException',
      'ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table',
      'iceberg-commit',
      true,
    ],
    ['Athena.AmazonAthenaException', 'GENERIC_INTERNAL_ERROR: null', 'internal', true],
    ['States.Timeout', '', 'timeout', true],
    ['Athena.AmazonAthenaException', 'Query exhausted resources at this scale factor', 'exhausted-resources', false],
    ['Athena.AmazonAthenaException', "line 1:8: mismatched input 'FROM'. SYNTAX_ERROR", 'syntax', false],
    [
      'Athena.AmazonAthenaException',
      'Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
      'permission',
      false,
    ],
    [
      'Athena.AmazonAthenaException',
      "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.aggregations.x' does not exist",
      'missing-object',
      false,
    ],
    ['States.TaskFailed', 'something nobody has seen before', 'unclassified', false],
  ])('%s / %s → %s', (error, cause, causeClass, retryable) => {
    expect(matchCause(error, cause)).toEqual({ causeClass, retryable });
  });

  it('does not retry exhausted resources even when the text also mentions an internal error', () => {
    expect(
      matchCause('Athena.AmazonAthenaException', 'INTERNAL_ERROR: Query exhausted resources at this scale factor'),
    ).toEqual({
      causeClass: 'exhausted-resources',
      retryable: false,
    });
  });
});

describe('decideAthenaRetry', () => {
  it('retries throttling with a growing, capped, jittered delay until the class limit', () => {
    const half = () => 0.5;
    const delays = [1, 2, 3, 4, 5, 6, 7].map(
      (attempt) =>
        decideAthenaRetry(
          failure('Athena.TooManyRequestsException', 'Rate exceeded', attempt),
          DEFAULT_RETRY_POLICY,
          half,
        ).delaySeconds,
    );
    expect(delays).toEqual([2, 3, 6, 12, 24, 48, 96]);
    const last = decideAthenaRetry(
      failure('Athena.TooManyRequestsException', 'Rate exceeded', 8),
      DEFAULT_RETRY_POLICY,
      half,
    );
    expect(last).toMatchObject({ retryable: false, causeClass: 'throttling', maxAttempts: 8 });
    expect(last.reason).toBe('throttling: 8 of 8 attempts used');
  });

  it('never retries a permanent cause', () => {
    const decision = decideAthenaRetry(
      failure('Athena.AmazonAthenaException', 'SYNTAX_ERROR: oops'),
      DEFAULT_RETRY_POLICY,
    );
    expect(decision).toEqual({
      retryable: false,
      causeClass: 'syntax',
      delaySeconds: 0,
      attempt: 1,
      maxAttempts: 1,
      reason: 'syntax is not retryable',
    });
  });
});

describe('backoffDelaySeconds', () => {
  it('stays within [cap/2, cap] and is a whole number of at least one second', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxDelaySeconds: 30 };
    for (const random of [0, 0.3, 0.999]) {
      for (let attempt = 1; attempt < 20; attempt++) {
        const delay = backoffDelaySeconds(policy, attempt, () => random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(1);
        expect(delay).toBeLessThanOrEqual(30);
      }
    }
    expect(backoffDelaySeconds(policy, 19, () => 0)).toBe(15);
  });
});

describe('retryPolicyFromEnv', () => {
  it('reads overrides and keeps the defaults for the rest', () => {
    const policy = retryPolicyFromEnv({
      ATHENA_RETRY_BASE_SECONDS: '5',
      ATHENA_RETRY_MAX_ATTEMPTS: '{"throttling": 3}',
    });
    expect(policy.baseDelaySeconds).toBe(5);
    expect(policy.maxAttempts.throttling).toBe(3);
    expect(policy.maxAttempts.internal).toBe(DEFAULT_RETRY_POLICY.maxAttempts.internal);
  });

  it('names the setting that is wrong', () => {
    expect(() => retryPolicyFromEnv({ ATHENA_RETRY_MAX_DELAY_SECONDS: '-1' })).toThrow(
      new RetryPolicyConfigError("ATHENA_RETRY_MAX_DELAY_SECONDS must be a positive number, got '-1'"),
    );
    expect(() => retryPolicyFromEnv({ ATHENA_RETRY_MAX_ATTEMPTS: '{"throttling": 0}' })).toThrow(
      'ATHENA_RETRY_MAX_ATTEMPTS.throttling must be an integer >= 1',
    );
    expect(() => retryPolicyFromEnv({ ATHENA_RETRY_MAX_ATTEMPTS: 'nope' })).toThrow(RetryPolicyConfigError);
  });
});
