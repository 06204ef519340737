import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DEFAULT_MAX_REQUEST_SIZE_BYTES,
  entrySize,
  type PutEventsEntry,
  planBatches,
} from '../../../events/publish-batches.ts';

/**
 * One dead letter as an operator reads it: the original event (EventBridge puts it, untransformed, as the message
 * body) and the attributes EventBridge sets on a target's DLQ message. The same shape for the deployed SQS DLQ and
 * the local bus's dead letters.
 */
export interface DeadLetterSummary {
  /** The SQS message id (the local record's message id). */
  readonly messageId: string;
  readonly eventId?: string;
  readonly detailType?: string;
  readonly source?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly ruleArn?: string;
  readonly targetArn?: string;
  /** Retries EventBridge made after the first attempt (`RETRY_ATTEMPTS`). */
  readonly retryAttempts?: number;
  /** `MaximumRetryAttemptsExhausted`, `MaximumEventAgeExhausted`, or absent (not retryable). */
  readonly exhaustedRetryCondition?: string;
  /** When the message reached the DLQ (ISO-8601). */
  readonly sentAt?: string;
  /** Seconds since `sentAt`. */
  readonly ageSeconds?: number;
  /** The original event, when the body is one. */
  readonly event?: Record<string, unknown>;
  /** Why the body is not an event, when it is not. */
  readonly bodyError?: string;
}

/** The DLQ attributes EventBridge sets, by name. */
export type DeadLetterAttributeMap = Readonly<Record<string, string | undefined>>;

/** Builds the summary from a body and the DLQ attributes (shared by the SQS and local readers). */
export function summarizeDeadLetter(
  messageId: string,
  body: string | Record<string, unknown>,
  attributes: DeadLetterAttributeMap,
  sentAt: Date | undefined,
  now: Date,
): DeadLetterSummary {
  let event: Record<string, unknown> | undefined;
  let bodyError: string | undefined;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        event = parsed as Record<string, unknown>;
      } else bodyError = 'the body is JSON but not an event object';
    } catch (error) {
      bodyError = `the body is not JSON (${(error as Error).message})`;
    }
  } else event = body;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const retries = attributes.RETRY_ATTEMPTS === undefined ? undefined : Number(attributes.RETRY_ATTEMPTS);
  const fields: Record<string, unknown> = {
    messageId,
    eventId: text(event?.id),
    detailType: text(event?.['detail-type']),
    source: text(event?.source),
    errorCode: attributes.ERROR_CODE,
    errorMessage: attributes.ERROR_MESSAGE,
    ruleArn: attributes.RULE_ARN,
    targetArn: attributes.TARGET_ARN,
    retryAttempts: retries !== undefined && Number.isFinite(retries) ? retries : undefined,
    exhaustedRetryCondition: attributes.EXHAUSTED_RETRY_CONDITION,
    sentAt: sentAt?.toISOString(),
    ageSeconds: sentAt ? Math.max(0, Math.round((now.getTime() - sentAt.getTime()) / 1000)) : undefined,
    event,
    bodyError,
  };
  // Leave absent fields out, so JSON output and equality checks stay clean.
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as unknown as DeadLetterSummary;
}

/**
 * The bus a rule belongs to, from its ARN: `…:rule/<name>` is on the default bus, `…:rule/<bus>/<name>` on `<bus>`.
 * Returned as an event bus ARN (PutEvents takes a name or an ARN), so the event goes back to that account and region.
 */
export function eventBusOfRuleArn(ruleArn: string): string | undefined {
  const match = /^arn:([^:]+):events:([^:]*):([^:]*):rule\/(.+)$/.exec(ruleArn);
  if (!match) return undefined;
  const [, partition, region, account, path] = match as unknown as [string, string, string, string, string];
  const slash = path.lastIndexOf('/');
  const bus = slash === -1 ? 'default' : path.slice(0, slash);
  return `arn:${partition}:events:${region}:${account}:event-bus/${bus}`;
}

/**
 * The PutEvents entry that puts an original event back: same source, detail-type, detail, resources and time (the
 * time matters: the orchestrator's plan derives the hour from an EMR event's time). The event gets a new id.
 */
export function putEventsEntryOf(event: Record<string, unknown>, eventBusName: string): PutEventsEntry {
  const time = typeof event.time === 'string' ? new Date(event.time) : undefined;
  return {
    Source: String(event.source ?? ''),
    DetailType: String(event['detail-type'] ?? ''),
    Detail: JSON.stringify(event.detail ?? {}),
    EventBusName: eventBusName,
    ...(Array.isArray(event.resources) ? { Resources: event.resources.map(String) } : {}),
    ...(time && !Number.isNaN(time.getTime()) ? { Time: time } : {}),
  };
}

/** Splits entries into PutEvents requests: at most 10 entries and `maxBytes` each (an oversize entry goes alone). */
export function putEventsBatches<T extends { entry: PutEventsEntry }>(items: readonly T[], maxBytes: number): T[][] {
  return planBatches(
    items.map((item) => entrySize(item.entry)),
    maxBytes,
  ).map((indexes) => indexes.map((index) => items[index]!));
}

/** What a redrive did, message by message. */
export interface RedriveReport {
  /** Re-put and (for SQS) deleted from the DLQ. */
  readonly redriven: readonly {
    readonly messageId: string;
    readonly eventId?: string;
    /** The new event id (PutEvents), or the started execution's ARN (StartExecution). */
    readonly newEventId: string;
    /** The bus the event went back on, or the state machine that was started with it. */
    readonly eventBusName: string;
  }[];
  /** Left in the DLQ: PutEvents refused them, their body is no event, no bus is known, or the delete failed. */
  readonly failed: readonly {
    readonly messageId: string;
    readonly eventId?: string;
    readonly errorCode: string;
    readonly errorMessage: string;
  }[];
}

/** Why PutEvents refused an entry, with the fix when there is a known one. */
export function explainPutEventsError(errorCode: string, errorMessage: string): string {
  if (errorCode === 'NotAuthorizedForSourceException') {
    return `${errorMessage} (PutEvents cannot send events whose source starts with 'aws.': start the target with the event instead)`;
  }
  return errorMessage;
}

export interface SqsDeadLetterOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Stop after this many messages (default 100). */
  readonly maxMessages?: number;
  readonly now?: () => Date;
}

function attributeMap(attributes: Record<string, MessageAttributeValue> | undefined): DeadLetterAttributeMap {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([name, value]) => [name, value.StringValue]));
}

function summarizeMessage(message: Message, now: Date): DeadLetterSummary & { receiptHandle?: string } {
  const sent = message.Attributes?.SentTimestamp;
  const summary = summarizeDeadLetter(
    message.MessageId ?? '',
    message.Body ?? '',
    attributeMap(message.MessageAttributes),
    sent ? new Date(Number(sent)) : undefined,
    now,
  );
  return message.ReceiptHandle ? { ...summary, receiptHandle: message.ReceiptHandle } : summary;
}

async function receive(sqs: SQSClient, queueUrl: string, max: number, visibilityTimeout: number) {
  const response = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, max),
      VisibilityTimeout: visibilityTimeout,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    }),
  );
  return response.Messages ?? [];
}

/**
 * Lists dead letters without taking them: ReceiveMessage with a visibility timeout of 0, so every message stays
 * visible to other consumers and to a redrive right after (a listing must never hide what it shows). The price:
 * SQS may return the same messages again, so the listing dedupes by message id and stops at the first batch that
 * brings nothing new; on a large queue it is a sample (SQS short polling reads a subset of servers), up to
 * `maxMessages`. ApproximateNumberOfMessages (the DLQ depth alarm) gives the count.
 */
export async function listSqsDeadLetters(options: SqsDeadLetterOptions): Promise<DeadLetterSummary[]> {
  const max = options.maxMessages ?? 100;
  const now = options.now?.() ?? new Date();
  const seen = new Map<string, DeadLetterSummary>();
  while (seen.size < max) {
    const messages = await receive(options.sqs, options.queueUrl, max - seen.size, 0);
    let added = 0;
    for (const message of messages) {
      const id = message.MessageId ?? '';
      if (seen.has(id)) continue;
      const { receiptHandle: _, ...summary } = summarizeMessage(message, now);
      seen.set(id, summary);
      added++;
    }
    if (added === 0) break;
  }
  return [...seen.values()];
}

export interface SqsRedriveOptions extends SqsDeadLetterOptions {
  readonly eventBridge: EventBridgeClient;
  /** Put every event on this bus (name or ARN) instead of the bus of the message's rule. */
  readonly eventBusName?: string;
  /**
   * Seconds a received message stays hidden while it is redriven (default 60): long enough to put and delete it, so
   * each receive moves on through the queue; a message that failed reappears after it for the next redrive.
   */
  readonly visibilityTimeoutSeconds?: number;
  /** PutEvents request size limit (default 1 MiB; 262,144 for the older limit). */
  readonly maxRequestSizeBytes?: number;
  /**
   * For events PutEvents refuses (source `aws.*`, such as the EMR events of the trigger DLQ) whose `TARGET_ARN` is a
   * state machine: start it with the event, as the rule's target would have. Without a client they are reported.
   */
  readonly stepFunctions?: SFNClient;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[^:]+:\d+:stateMachine:[A-Za-z0-9_-]+$/;

/** True when a dead letter must go straight to its state machine target: PutEvents refuses `aws.*` sources. */
export function needsDirectStart(summary: DeadLetterSummary): boolean {
  return (
    typeof summary.source === 'string' &&
    summary.source.startsWith('aws.') &&
    STATE_MACHINE_ARN.test(summary.targetArn ?? '')
  );
}

/**
 * The execution name of a redrive: derived from the event id, so redriving the same dead letter twice (its delete
 * failed, or two operators at once) starts the orchestrator once; Step Functions refuses a name in use.
 */
export function redriveExecutionName(summary: DeadLetterSummary): string {
  return `redrive-${(summary.eventId ?? summary.messageId).replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 80);
}

async function startTarget(stepFunctions: SFNClient, summary: DeadLetterSummary): Promise<string> {
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: summary.targetArn,
        name: redriveExecutionName(summary),
        input: JSON.stringify(summary.event),
      }),
    );
    return started.executionArn ?? '';
  } catch (error) {
    // Started by an earlier redrive of the same dead letter: done, the message may go.
    if ((error as Error).name === 'ExecutionAlreadyExists') {
      return `${summary.targetArn!.replace(':stateMachine:', ':execution:')}:${redriveExecutionName(summary)}`;
    }
    throw error;
  }
}

/**
 * Redrives a DLQ: receives messages, puts each original event back on its bus (the bus of the rule in
 * `RULE_ARN`, or `eventBusName`), and deletes ONLY the messages whose PutEvents entry was accepted. Everything else
 * stays in the queue and is reported. Note that a re-put event goes to every rule of its bus, not only the target
 * that failed, and gets a new id: targets must be idempotent on their own key (the orchestrator's execution names).
 */
export async function redriveSqsDeadLetters(options: SqsRedriveOptions): Promise<RedriveReport> {
  const max = options.maxMessages ?? 100;
  const now = options.now?.() ?? new Date();
  const redriven: RedriveReport['redriven'][number][] = [];
  const failed: RedriveReport['failed'][number][] = [];
  const handled = new Set<string>();
  while (handled.size < max) {
    const messages = (
      await receive(options.sqs, options.queueUrl, max - handled.size, options.visibilityTimeoutSeconds ?? 60)
    ).filter((message) => !handled.has(message.MessageId ?? ''));
    if (messages.length === 0) break;
    const items: { summary: DeadLetterSummary; receiptHandle: string; entry: PutEventsEntry }[] = [];
    for (const message of messages) {
      const summary = summarizeMessage(message, now);
      handled.add(summary.messageId);
      const base = { messageId: summary.messageId, ...(summary.eventId ? { eventId: summary.eventId } : {}) };
      const bus = options.eventBusName ?? (summary.ruleArn ? eventBusOfRuleArn(summary.ruleArn) : undefined);
      if (!summary.event) failed.push({ ...base, errorCode: 'InvalidBody', errorMessage: summary.bodyError ?? '' });
      else if (options.stepFunctions && needsDirectStart(summary)) {
        let executionArn: string;
        try {
          executionArn = await startTarget(options.stepFunctions, summary);
        } catch (error) {
          failed.push({ ...base, errorCode: (error as Error).name, errorMessage: (error as Error).message });
          continue;
        }
        const started = {
          summary,
          receiptHandle: summary.receiptHandle ?? '',
          entry: { EventBusName: summary.targetArn! },
        };
        const deleted = await deleteBatch(
          options.sqs,
          options.queueUrl,
          [{ ...started, newEventId: executionArn } as RedriveItem & { newEventId: string }],
          failed,
        );
        for (const item of deleted) {
          redriven.push({ ...base, newEventId: item.newEventId, eventBusName: summary.targetArn! });
        }
      } else if (!bus) {
        failed.push({
          ...base,
          errorCode: 'UnknownEventBus',
          errorMessage: `no RULE_ARN attribute names the bus (${summary.ruleArn ?? 'absent'}): pass --event-bus`,
        });
      } else
        items.push({
          summary,
          receiptHandle: summary.receiptHandle ?? '',
          entry: putEventsEntryOf(summary.event, bus),
        });
    }
    for (const batch of putEventsBatches(items, options.maxRequestSizeBytes ?? DEFAULT_MAX_REQUEST_SIZE_BYTES)) {
      const accepted = await putBatch(options.eventBridge, batch, failed);
      if (accepted.length === 0) continue;
      const deleted = await deleteBatch(options.sqs, options.queueUrl, accepted, failed);
      for (const item of deleted) {
        redriven.push({
          messageId: item.summary.messageId,
          ...(item.summary.eventId ? { eventId: item.summary.eventId } : {}),
          newEventId: item.newEventId,
          eventBusName: item.entry.EventBusName ?? 'default',
        });
      }
    }
  }
  return { redriven, failed };
}

type RedriveItem = { summary: DeadLetterSummary; receiptHandle: string; entry: PutEventsEntry };

async function putBatch(
  eventBridge: EventBridgeClient,
  batch: RedriveItem[],
  failed: RedriveReport['failed'][number][],
): Promise<(RedriveItem & { newEventId: string })[]> {
  const fail = (item: RedriveItem, errorCode: string, errorMessage: string) =>
    failed.push({
      messageId: item.summary.messageId,
      ...(item.summary.eventId ? { eventId: item.summary.eventId } : {}),
      errorCode,
      errorMessage: explainPutEventsError(errorCode, errorMessage),
    });
  let entries: readonly { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  try {
    const response = await eventBridge.send(
      new PutEventsCommand({ Entries: batch.map((item) => item.entry as PutEventsRequestEntry) }),
    );
    entries = response.Entries ?? [];
  } catch (error) {
    // The whole request failed: nothing was put, so nothing is deleted.
    for (const item of batch) fail(item, (error as Error).name, (error as Error).message);
    return [];
  }
  const accepted: (RedriveItem & { newEventId: string })[] = [];
  batch.forEach((item, index) => {
    const result = entries[index];
    if (result?.EventId && !result.ErrorCode) accepted.push({ ...item, newEventId: result.EventId });
    else fail(item, result?.ErrorCode ?? 'NoResult', result?.ErrorMessage ?? 'PutEvents returned no entry for it');
  });
  return accepted;
}

async function deleteBatch(
  sqs: SQSClient,
  queueUrl: string,
  accepted: (RedriveItem & { newEventId: string })[],
  failed: RedriveReport['failed'][number][],
): Promise<(RedriveItem & { newEventId: string })[]> {
  const response = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: accepted.map((item, index) => ({ Id: String(index), ReceiptHandle: item.receiptHandle })),
    }),
  );
  const failedIds = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
  return accepted.filter((item, index) => {
    const failure = failedIds.get(String(index));
    if (!failure) return true;
    // Re-put but still in the queue: a later redrive would put it again; say so.
    failed.push({
      messageId: item.summary.messageId,
      ...(item.summary.eventId ? { eventId: item.summary.eventId } : {}),
      errorCode: `DeleteFailed:${failure.Code ?? ''}`,
      errorMessage: `re-put as ${item.newEventId} but not deleted: ${failure.Message ?? ''}`,
    });
    return false;
  });
}

/** Default clients for the CLI (region and credentials from the usual AWS environment). */
export function defaultDeadLetterClients(): {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  stepFunctions: SFNClient;
} {
  return { sqs: new SQSClient({}), eventBridge: new EventBridgeClient({}), stepFunctions: new SFNClient({}) };
}
