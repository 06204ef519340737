import { type CauseClass, matchCause } from './cause-classes.ts';
import { backoffDelaySeconds, type RetryPolicy } from './retry-policy.ts';

/** What the import state machine passes after a failed `QueryAthena`. */
export interface AthenaFailure {
  readonly table: string;
  readonly hour: string;
  readonly error: string;
  readonly cause: string;
  /** The attempt that just failed, 1-based. */
  readonly attempt: number;
  readonly correlationId: string;
}

/** The decision the state machine acts on (`RetryAthena` choice, `WaitBeforeAthenaRetry`). */
export interface AthenaRetryDecision {
  readonly retryable: boolean;
  readonly causeClass: CauseClass;
  /** Seconds to wait before the next attempt; 0 when not retrying. */
  readonly delaySeconds: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Why not, when not retrying. */
  readonly reason?: string;
}

/** Decides whether a failed Athena query is worth another attempt, and when. */
export function decideAthenaRetry(
  failure: AthenaFailure,
  policy: RetryPolicy,
  random?: () => number,
): AthenaRetryDecision {
  const { causeClass, retryable } = matchCause(failure.error, failure.cause);
  const maxAttempts = retryable ? (policy.maxAttempts[causeClass] ?? policy.defaultMaxAttempts) : 1;
  if (!retryable) {
    return {
      retryable,
      causeClass,
      delaySeconds: 0,
      attempt: failure.attempt,
      maxAttempts,
      reason: `${causeClass} is not retryable`,
    };
  }
  if (failure.attempt >= maxAttempts) {
    return {
      retryable: false,
      causeClass,
      delaySeconds: 0,
      attempt: failure.attempt,
      maxAttempts,
      reason: `${causeClass}: ${failure.attempt} of ${maxAttempts} attempts used`,
    };
  }
  return {
    retryable,
    causeClass,
    delaySeconds: backoffDelaySeconds(policy, failure.attempt, random),
    attempt: failure.attempt,
    maxAttempts,
  };
}
