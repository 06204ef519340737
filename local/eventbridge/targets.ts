import type { LocalQueue } from './local-queue.ts';

/**
 * Something a rule delivers to. `invoke` gets the target's input (the event, or what InputPath / InputTransformer
 * made of it) and fails by throwing: the bus then retries per the target's retry policy. Targets must be idempotent:
 * delivery is at least once.
 */
export interface LocalTarget {
  invoke(input: unknown, delivery: DeliveryInfo): Promise<void>;
}

/** Facts about one delivery attempt, for targets that need them (idempotency keys, exact body text). */
export interface DeliveryInfo {
  /** The event `id`: the idempotency key (delivery is at least once). */
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  /** The input exactly as AWS would send it over the wire (what an SQS target's body would be). */
  readonly text: string;
}

/** An error a target throws when retrying cannot help (AWS sends such failures to the DLQ at once). */
export class NonRetryableTargetError extends Error {
  override readonly name = 'NonRetryableTargetError';
}

/** A target that calls a function (a local Lambda, or the pipeline's "start a state machine"). */
export function functionTarget(fn: (input: unknown, delivery: DeliveryInfo) => unknown): LocalTarget {
  return {
    async invoke(input, delivery) {
      await fn(input, delivery);
    },
  };
}

/** A target that appends the input text to a local queue, byte for byte what SQS would receive. */
export function queueTarget(queue: LocalQueue): LocalTarget {
  return {
    async invoke(_input, delivery) {
      queue.send(delivery.text);
    },
  };
}
