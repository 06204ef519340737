import type { CauseClass } from './cause-classes.ts';

/** How the Athena retry loop backs off. All values come from configuration (`retryPolicyFromEnv`). */
export interface RetryPolicy {
  /** Delay before the first retry, in seconds. */
  readonly baseDelaySeconds: number;
  /** Each further retry waits this factor longer. */
  readonly backoffRate: number;
  /** No single wait is longer than this. */
  readonly maxDelaySeconds: number;
  /** Total attempts (the first query included) allowed for a retryable cause class. */
  readonly maxAttempts: Readonly<Partial<Record<CauseClass, number>>>;
  /** Used for a retryable class missing from `maxAttempts`. */
  readonly defaultMaxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelaySeconds: 2,
  backoffRate: 2,
  maxDelaySeconds: 300,
  // Throttling clears by itself when we back off, so it gets the most patience.
  maxAttempts: { throttling: 8, 's3-slowdown': 6, 'iceberg-commit': 5, internal: 4, timeout: 2 },
  defaultMaxAttempts: 3,
};

/**
 * The wait before attempt `attempt + 1`, after `attempt` failed: exponential, capped, with "equal jitter" (half
 * fixed, half random) so that tables throttled together do not retry together, yet never retry immediately. Whole
 * seconds, at least 1: a Wait state takes an integer.
 */
export function backoffDelaySeconds(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = policy.baseDelaySeconds * policy.backoffRate ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelaySeconds, exponential);
  const jittered = capped / 2 + random() * (capped / 2);
  return Math.max(1, Math.round(jittered));
}

export class RetryPolicyConfigError extends Error {
  override readonly name = 'RetryPolicyConfigError';
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new RetryPolicyConfigError(`${name} must be a positive number, got '${text}'`);
  return value;
}

/**
 * Reads `ATHENA_RETRY_BASE_SECONDS`, `ATHENA_RETRY_BACKOFF_RATE`, `ATHENA_RETRY_MAX_DELAY_SECONDS`,
 * `ATHENA_RETRY_DEFAULT_MAX_ATTEMPTS` and `ATHENA_RETRY_MAX_ATTEMPTS` (JSON, cause class → attempts).
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv): RetryPolicy {
  let maxAttempts = DEFAULT_RETRY_POLICY.maxAttempts;
  const limits = env.ATHENA_RETRY_MAX_ATTEMPTS;
  if (limits) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(limits);
    } catch {
      throw new RetryPolicyConfigError(
        `ATHENA_RETRY_MAX_ATTEMPTS must be JSON like {"throttling": 8}, got '${limits}'`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new RetryPolicyConfigError('ATHENA_RETRY_MAX_ATTEMPTS must be a JSON object of cause class → attempts');
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!Number.isInteger(value) || (value as number) < 1) {
        throw new RetryPolicyConfigError(`ATHENA_RETRY_MAX_ATTEMPTS.${key} must be an integer >= 1`);
      }
    }
    maxAttempts = { ...DEFAULT_RETRY_POLICY.maxAttempts, ...(parsed as Record<string, number>) };
  }
  return {
    baseDelaySeconds: positiveNumber(env, 'ATHENA_RETRY_BASE_SECONDS', DEFAULT_RETRY_POLICY.baseDelaySeconds),
    backoffRate: positiveNumber(env, 'ATHENA_RETRY_BACKOFF_RATE', DEFAULT_RETRY_POLICY.backoffRate),
    maxDelaySeconds: positiveNumber(env, 'ATHENA_RETRY_MAX_DELAY_SECONDS', DEFAULT_RETRY_POLICY.maxDelaySeconds),
    defaultMaxAttempts: positiveNumber(
      env,
      'ATHENA_RETRY_DEFAULT_MAX_ATTEMPTS',
      DEFAULT_RETRY_POLICY.defaultMaxAttempts,
    ),
    maxAttempts,
  };
}
