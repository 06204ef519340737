import { randomUUID } from 'node:crypto';

/** One message of a local queue (the SQS fields a consumer looks at). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: string;
}

/** An in-memory standard queue: targets append to it, tests and CLI commands read it. */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly #messages: QueueMessage[] = [];
  readonly #listeners: ((message: QueueMessage) => void)[] = [];

  constructor(name: string, options: { account?: string; region?: string } = {}) {
    this.name = name;
    this.arn = `arn:aws:sqs:${options.region ?? 'us-east-1'}:${options.account ?? '000000000000'}:${name}`;
  }

  /** Appends a message; returns it. */
  send(body: string, attributes: Record<string, string> = {}, sentAt: Date = new Date()): QueueMessage {
    const message = { messageId: randomUUID(), body, attributes: { ...attributes }, sentAt: sentAt.toISOString() };
    this.#messages.push(message);
    for (const listener of this.#listeners) listener(message);
    return message;
  }

  /** Every message still in the queue, oldest first. */
  get messages(): readonly QueueMessage[] {
    return [...this.#messages];
  }

  /** Removes and returns up to `max` messages, oldest first. */
  receive(max = 10): QueueMessage[] {
    return this.#messages.splice(0, max);
  }

  /** Calls `listener` for every message sent from now on (used to persist dead letters). */
  onMessage(listener: (message: QueueMessage) => void): void {
    this.#listeners.push(listener);
  }
}
