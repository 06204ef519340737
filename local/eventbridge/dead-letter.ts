/**
 * What EventBridge puts in a target's dead-letter queue: the original event as the body and these message
 * attributes (names as AWS sets them).
 */
export interface DeadLetterAttributes {
  readonly ERROR_CODE: string;
  readonly ERROR_MESSAGE: string;
  readonly RULE_ARN: string;
  readonly TARGET_ARN: string;
  /** Retries made after the first attempt. */
  readonly RETRY_ATTEMPTS: string;
  /** Why delivery stopped: `MaximumRetryAttemptsExhausted`, `MaximumEventAgeExhausted`, or absent (not retryable). */
  readonly EXHAUSTED_RETRY_CONDITION?: string;
}

/** A dead letter as persisted under `<stateDir>/bus/dead-letters.jsonl`. */
export interface DeadLetterRecord {
  readonly queueArn: string;
  readonly messageId: string;
  readonly sentAt: string;
  readonly attributes: DeadLetterAttributes;
  /** The original event (not the transformed input), as AWS sends it. */
  readonly event: Record<string, unknown>;
}
