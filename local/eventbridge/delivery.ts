import type { Clock } from '../clock.ts';
import type { DeadLetterAttributes } from './dead-letter.ts';
import { type TargetInputOptions, transformTargetInput } from './input-transformer.ts';
import type { LocalQueue, QueueMessage } from './local-queue.ts';
import { type BackoffOptions, backoffDelay, type RetryPolicy, resolveRetryPolicy } from './retry-policy.ts';
import { type LocalTarget, NonRetryableTargetError } from './targets.ts';

/** A target as registered by PutTargets. */
export interface RegisteredTarget extends TargetInputOptions {
  readonly id: string;
  /** The ARN AWS would have (reported in dead letters); any string locally. */
  readonly arn: string;
  readonly target: LocalTarget;
  readonly retryPolicy?: RetryPolicy;
  readonly deadLetterQueue?: LocalQueue;
}

/** How one delivery of one event to one target ended. */
export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly attempts: number }
  | { readonly status: 'not-delivered'; readonly reason: string }
  | {
      readonly status: 'failed';
      readonly attempts: number;
      readonly attributes: DeadLetterAttributes;
      /** The DLQ message, or undefined when the target has no DLQ (AWS then only counts FailedInvocations). */
      readonly deadLetter: QueueMessage | undefined;
    };

export interface DeliveryRequest {
  readonly event: Readonly<Record<string, unknown>>;
  readonly ingestionTime: Date;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly target: RegisteredTarget;
}

export interface DeliveryDependencies {
  readonly clock: Clock;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

/**
 * Delivers one event to one target as EventBridge does: transform the input, try, and on failure retry with
 * exponential backoff until the retry policy's attempts or event age run out; then send the original event to the
 * dead-letter queue with AWS's attributes.
 */
export async function deliver(request: DeliveryRequest, deps: DeliveryDependencies): Promise<DeliveryOutcome> {
  const { event, target, ruleArn, ruleName, ingestionTime } = request;
  const policy = resolveRetryPolicy(target.retryPolicy);
  const transformed = transformTargetInput(event, target, {
    ruleArn,
    ruleName,
    ingestionTime: ingestionTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  if (!transformed.delivered) return { status: 'not-delivered', reason: transformed.reason };
  const input = parseOrText(transformed.text);
  const eventId = String(event.id);
  let attempt = 0;
  for (;;) {
    attempt++;
    let failure: unknown;
    try {
      await target.target.invoke(input, { eventId, ruleArn, targetId: target.id, attempt, text: transformed.text });
      return { status: 'delivered', attempts: attempt };
    } catch (error) {
      failure = error;
    }
    const retriesMade = attempt - 1;
    let condition: string | undefined;
    if (failure instanceof NonRetryableTargetError) condition = undefined;
    else if (retriesMade >= policy.MaximumRetryAttempts) condition = 'MaximumRetryAttemptsExhausted';
    else {
      const delay = backoffDelay(attempt, deps.backoff, deps.random);
      const ageAtRetry = deps.clock.now() + delay - ingestionTime.getTime();
      if (ageAtRetry > policy.MaximumEventAgeInSeconds * 1000) condition = 'MaximumEventAgeExhausted';
      else {
        await deps.clock.sleep(delay);
        continue;
      }
    }
    const err = failure as Error & { code?: unknown };
    const attributes: DeadLetterAttributes = {
      ERROR_CODE: typeof err.code === 'string' ? err.code : (err.name ?? 'Error'),
      ERROR_MESSAGE: err.message ?? String(failure),
      RULE_ARN: ruleArn,
      TARGET_ARN: target.arn,
      RETRY_ATTEMPTS: String(retriesMade),
      ...(condition ? { EXHAUSTED_RETRY_CONDITION: condition } : {}),
    };
    const deadLetter = target.deadLetterQueue?.send(
      JSON.stringify(event),
      attributes as unknown as Record<string, string>,
      new Date(deps.clock.now()),
    );
    return { status: 'failed', attempts: attempt, attributes, deadLetter };
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
