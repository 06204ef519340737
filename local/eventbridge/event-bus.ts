import { randomUUID } from 'node:crypto';
import { entrySize } from '../../events/publish-batches.ts';
import { type Clock, realClock } from '../clock.ts';
import { type ArchivedEvent, appendJsonLine, readArchive } from './bus-state.ts';
import type { CompiledPattern } from './compiled-pattern.ts';
import type { DeadLetterRecord } from './dead-letter.ts';
import { type DeliveryOutcome, deliver, type RegisteredTarget } from './delivery.ts';
import { ResourceNotFoundError, ValidationError } from './errors.ts';
import { testEventPattern } from './event-pattern.ts';
import { validateTargetInput } from './input-transformer.ts';
import { type FlatEvent, flattenEvent, matchesPattern } from './pattern-matching.ts';
import { compileEventPattern } from './pattern-validation.ts';
import { type BackoffOptions, resolveRetryPolicy } from './retry-policy.ts';

/** One PutEvents entry, as in `@aws-sdk/client-eventbridge`. */
export interface PutEventsRequestEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** A JSON object as text. */
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
  readonly Time?: Date;
  readonly TraceHeader?: string;
}

/** Per-entry result: an `EventId`, or an error code and message. */
export interface PutEventsResultEntry {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: readonly PutEventsResultEntry[];
}

/** A rule as PutRule takes it. */
export interface RuleDefinition {
  readonly name: string;
  /** Default: `default`. */
  readonly eventBusName?: string;
  /** JSON text or an object; validated like AWS (throws `InvalidEventPatternError`). */
  readonly eventPattern: string | Readonly<Record<string, unknown>>;
  /** Default: ENABLED. */
  readonly state?: 'ENABLED' | 'DISABLED';
  readonly description?: string;
}

/** A per-entry failure to inject into PutEvents (to test callers' partial-failure handling). */
export type EntryFault = (
  entry: PutEventsRequestEntry,
  index: number,
) => { ErrorCode: string; ErrorMessage: string } | undefined;

export interface LocalEventBridgeOptions {
  readonly account?: string;
  readonly region?: string;
  /** Injectable time: retries and event age use it (a `VirtualClock` makes backoff instant in tests). */
  readonly clock?: Clock;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** PutEvents request size limit in bytes, computed as AWS does (default 1 MiB; older AWS limit: 256 KiB). */
  readonly maxRequestSizeBytes?: number;
  /** If set, the archive and dead letters persist under `<stateDir>/bus/` and the archive is reloaded for replay. */
  readonly stateDir?: string;
  readonly newEventId?: () => string;
  readonly entryFault?: EntryFault;
  /**
   * At-least-once made visible: return true to deliver an event to a target a second time after a successful
   * delivery, so tests can prove targets are idempotent (keyed on the event id).
   */
  readonly duplicateDelivery?: (eventId: string, targetId: string) => boolean;
}

/** One delivery as recorded by the bus (the local counterpart of Invocations / FailedInvocations metrics). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly outcome: DeliveryOutcome;
}

/** Counters named after EventBridge's CloudWatch metrics, for the local bus. */
export interface LocalBusMetrics {
  /** Events that matched at least one rule. */
  readonly MatchedEvents: number;
  /** Rule matches (one event matching two rules counts two). */
  readonly TriggeredRules: number;
  /** Deliveries that ended (delivered, failed or dropped), duplicates included. */
  readonly Invocations: number;
  /** Deliveries that failed after all retries. */
  readonly FailedInvocations: number;
  readonly InvocationsSentToDlq: number;
  /** Failed deliveries whose target had no DLQ: the event is gone (AWS counts these as FailedInvocations only). */
  readonly FailedInvocationsWithoutDlq: number;
  /** Transformed inputs AWS would silently drop (invalid JSON after InputTransformer). */
  readonly DroppedInputs: number;
}

interface Rule {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly pattern: CompiledPattern;
  readonly eventPatternText: string;
  state: 'ENABLED' | 'DISABLED';
  readonly targets: Map<string, RegisteredTarget>;
}

export const DEFAULT_MAX_REQUEST_SIZE_BYTES = 1_048_576;
const MAX_ENTRIES = 10;

/**
 * A local EventBridge: several buses (`default` always exists), rules with validated patterns, targets with
 * InputPath / InputTransformer, at-least-once delivery with retry policy and dead-letter queues, an archive of every
 * event and replay. PutEvents returns at once; deliveries run in the background — await {@link idle}.
 */
export class LocalEventBridge {
  readonly account: string;
  readonly region: string;
  readonly #clock: Clock;
  readonly #options: LocalEventBridgeOptions;
  readonly #buses = new Set<string>(['default']);
  readonly #rules = new Map<string, Rule>();
  readonly #archive: ArchivedEvent[];
  readonly #pending = new Set<Promise<void>>();
  readonly #deliveries: DeliveryRecord[] = [];
  #matchedEvents = 0;
  #triggeredRules = 0;

  constructor(options: LocalEventBridgeOptions = {}) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.#clock = options.clock ?? realClock;
    this.#options = options;
    this.#archive = options.stateDir ? readArchive(options.stateDir) : [];
  }

  /** Creates a custom event bus (idempotent). */
  createEventBus(name: string): { EventBusArn: string } {
    if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) throw new ValidationError(`Event bus name '${name}' is not valid.`);
    this.#buses.add(name);
    return { EventBusArn: `arn:aws:events:${this.region}:${this.account}:event-bus/${name}` };
  }

  /** Creates or replaces a rule (targets are kept, as with AWS PutRule). */
  putRule(definition: RuleDefinition): { RuleArn: string } {
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(definition.name)) {
      throw new ValidationError(
        `Rule name '${definition.name}' is not valid: 1 to 64 characters of letters, digits, '.', '-' and '_'.`,
      );
    }
    const patternLength =
      typeof definition.eventPattern === 'string'
        ? definition.eventPattern.length
        : JSON.stringify(definition.eventPattern).length;
    if (patternLength > 4096) {
      throw new ValidationError(`Event pattern of rule ${definition.name} is longer than 4096 characters.`);
    }
    const eventBusName = this.#requireBus(definition.eventBusName);
    const pattern = compileEventPattern(definition.eventPattern);
    const key = ruleKey(eventBusName, definition.name);
    const existing = this.#rules.get(key);
    const arn =
      eventBusName === 'default'
        ? `arn:aws:events:${this.region}:${this.account}:rule/${definition.name}`
        : `arn:aws:events:${this.region}:${this.account}:rule/${eventBusName}/${definition.name}`;
    this.#rules.set(key, {
      name: definition.name,
      arn,
      eventBusName,
      pattern,
      eventPatternText:
        typeof definition.eventPattern === 'string' ? definition.eventPattern : JSON.stringify(definition.eventPattern),
      state: definition.state ?? 'ENABLED',
      targets: existing?.targets ?? new Map(),
    });
    return { RuleArn: arn };
  }

  /** Adds or replaces targets of a rule; validates them as PutTargets does (throws `ValidationError`). */
  putTargets(
    ruleName: string,
    targets: readonly RegisteredTarget[],
    eventBusName?: string,
  ): { FailedEntryCount: 0; FailedEntries: [] } {
    const rule = this.#requireRule(ruleName, eventBusName);
    if (targets.length > 10) throw new ValidationError('PutTargets takes at most 10 targets per call.');
    if (rule.targets.size + targets.filter((t) => !rule.targets.has(t.id)).length > 5) {
      throw new ValidationError(`Rule ${ruleName} would have more than 5 targets.`);
    }
    for (const target of targets) {
      validateTargetInput(target.id, target);
      try {
        resolveRetryPolicy(target.retryPolicy);
      } catch (error) {
        throw new ValidationError(`Target ${target.id}: ${(error as Error).message}`);
      }
    }
    for (const target of targets) rule.targets.set(target.id, target);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  removeTargets(ruleName: string, ids: readonly string[], eventBusName?: string): void {
    const rule = this.#requireRule(ruleName, eventBusName);
    for (const id of ids) rule.targets.delete(id);
  }

  deleteRule(ruleName: string, eventBusName?: string): void {
    const rule = this.#requireRule(ruleName, eventBusName);
    if (rule.targets.size > 0) throw new ValidationError("Rule can't be deleted since it has targets.");
    this.#rules.delete(ruleKey(rule.eventBusName, rule.name));
  }

  enableRule(ruleName: string, eventBusName?: string): void {
    this.#requireRule(ruleName, eventBusName).state = 'ENABLED';
  }

  disableRule(ruleName: string, eventBusName?: string): void {
    this.#requireRule(ruleName, eventBusName).state = 'DISABLED';
  }

  /** Rules of a bus: name, ARN, pattern text and state. */
  listRules(eventBusName?: string): { Name: string; Arn: string; EventPattern: string; State: string }[] {
    const bus = this.#requireBus(eventBusName);
    return [...this.#rules.values()]
      .filter((rule) => rule.eventBusName === bus)
      .map((rule) => ({ Name: rule.name, Arn: rule.arn, EventPattern: rule.eventPatternText, State: rule.state }));
  }

  /** The local TestEventPattern (throws `InvalidEventPatternError` / `InvalidEventParameterError`). */
  testEventPattern(eventPattern: unknown, event: unknown): { Result: boolean } {
    return { Result: testEventPattern(eventPattern, event) };
  }

  /**
   * PutEvents: at most 10 entries and the configured size limit (both fail the whole request with a
   * `ValidationError`), then per-entry results. Accepted events are archived and routed to matching rules.
   */
  async putEvents(entries: readonly PutEventsRequestEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new ValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} and greater than or equal to 1 (got ${entries.length})`,
      );
    }
    const limit = this.#options.maxRequestSizeBytes ?? DEFAULT_MAX_REQUEST_SIZE_BYTES;
    const size = entries.reduce((total, entry) => total + putEventsEntrySize(entry), 0);
    if (size > limit) {
      throw new ValidationError(
        `Total size of the entries in the request is over the limit (${size} bytes > ${limit} bytes).`,
      );
    }
    const results = entries.map((entry, index) => this.#putOne(entry, index));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
  }

  /** Resolves when every delivery started so far, retries included, has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Same as {@link idle}. */
  drain(): Promise<void> {
    return this.idle();
  }

  /** Every delivery outcome so far, in completion order. */
  get deliveries(): readonly DeliveryRecord[] {
    return [...this.#deliveries];
  }

  /** Counters like EventBridge's CloudWatch metrics, since this bus was created. */
  metrics(): LocalBusMetrics {
    const outcomes = this.#deliveries.map((d) => d.outcome);
    const failed = outcomes.filter((o) => o.status === 'failed');
    return {
      MatchedEvents: this.#matchedEvents,
      TriggeredRules: this.#triggeredRules,
      Invocations: outcomes.length,
      FailedInvocations: failed.length,
      InvocationsSentToDlq: failed.filter((o) => o.deadLetter !== undefined).length,
      FailedInvocationsWithoutDlq: failed.filter((o) => o.deadLetter === undefined).length,
      DroppedInputs: outcomes.filter((o) => o.status === 'not-delivered').length,
    };
  }

  /** Archived events (every event ever put, incl. those of earlier runs in the state dir), oldest first. */
  archivedEvents(eventBusName?: string): ArchivedEvent[] {
    return this.#archive.filter((e) => eventBusName === undefined || e.eventBusName === eventBusName);
  }

  /**
   * Replays archived events of a bus (received in `[from, to)`) to its rules, or to `ruleNames` only. Replayed events
   * carry `replay-name` and are not archived again. Returns how many events were replayed; await {@link idle} for
   * their deliveries.
   */
  startReplay(options: {
    readonly replayName: string;
    readonly eventBusName?: string;
    readonly from?: Date;
    readonly to?: Date;
    readonly ruleNames?: readonly string[];
  }): { replayedEvents: number } {
    const bus = this.#requireBus(options.eventBusName);
    const from = options.from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const to = options.to?.getTime() ?? Number.POSITIVE_INFINITY;
    const selected = this.#archive.filter((archived) => {
      const at = new Date(archived.ingestionTime).getTime();
      return archived.eventBusName === bus && at >= from && at < to;
    });
    for (const archived of selected) {
      const event = { ...archived.event, 'replay-name': options.replayName };
      this.#route(bus, event, new Date(this.#clock.now()), options.ruleNames);
    }
    return { replayedEvents: selected.length };
  }

  #putOne(entry: PutEventsRequestEntry, index: number): PutEventsResultEntry {
    const fault = this.#options.entryFault?.(entry, index);
    if (fault) return fault;
    const missing = (['Source', 'DetailType', 'Detail'] as const).find((field) => !entry[field]);
    if (missing) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const bus = busNameOf(entry.EventBusName);
    if (!this.#buses.has(bus)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    const now = new Date(this.#clock.now());
    const event: Record<string, unknown> = {
      version: '0',
      id: this.#options.newEventId?.() ?? randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.account,
      time: isoSeconds(entry.Time ?? now),
      region: this.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    };
    const archived: ArchivedEvent = { eventBusName: bus, ingestionTime: now.toISOString(), event };
    this.#archive.push(archived);
    if (this.#options.stateDir) appendJsonLine(this.#options.stateDir, 'archive', archived);
    this.#route(bus, event, now, undefined);
    return { EventId: String(event.id) };
  }

  #route(bus: string, event: Record<string, unknown>, ingestionTime: Date, ruleNames: readonly string[] | undefined) {
    let flat: FlatEvent | undefined;
    let matched = false;
    for (const rule of this.#rules.values()) {
      if (rule.eventBusName !== bus || rule.state !== 'ENABLED') continue;
      if (ruleNames && !ruleNames.includes(rule.name)) continue;
      // Flatten once per event, not once per rule.
      flat ??= flattenEvent(event);
      if (!matchesPattern(rule.pattern, flat)) continue;
      matched = true;
      this.#triggeredRules++;
      for (const target of rule.targets.values()) this.#schedule(rule, target, event, ingestionTime);
    }
    if (matched) this.#matchedEvents++;
  }

  #schedule(rule: Rule, target: RegisteredTarget, event: Record<string, unknown>, ingestionTime: Date): void {
    const run = async () => {
      // Let PutEvents return before the first attempt, as the real bus does.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const request = { event, ingestionTime, ruleArn: rule.arn, ruleName: rule.name, target };
      const deps = { clock: this.#clock, backoff: this.#options.backoff, random: this.#options.random };
      const outcome = await deliver(request, deps);
      this.#deliveries.push({ eventId: String(event.id), ruleArn: rule.arn, targetId: target.id, outcome });
      if (outcome.status === 'delivered' && this.#options.duplicateDelivery?.(String(event.id), target.id)) {
        const duplicate = await deliver(request, deps);
        this.#deliveries.push({
          eventId: String(event.id),
          ruleArn: rule.arn,
          targetId: target.id,
          outcome: duplicate,
        });
      }
      if (outcome.status === 'failed' && outcome.deadLetter && this.#options.stateDir) {
        const record: DeadLetterRecord = {
          queueArn: target.deadLetterQueue?.arn ?? '',
          messageId: outcome.deadLetter.messageId,
          sentAt: outcome.deadLetter.sentAt,
          attributes: outcome.attributes,
          event,
        };
        appendJsonLine(this.#options.stateDir, 'dead-letters', record);
      }
    };
    const promise = run().finally(() => this.#pending.delete(promise));
    this.#pending.add(promise);
  }

  #requireBus(name: string | undefined): string {
    const bus = busNameOf(name);
    if (!this.#buses.has(bus)) throw new ResourceNotFoundError(`Event bus ${bus} does not exist.`);
    return bus;
  }

  #requireRule(name: string, eventBusName: string | undefined): Rule {
    const bus = this.#requireBus(eventBusName);
    const rule = this.#rules.get(ruleKey(bus, name));
    if (!rule) throw new ResourceNotFoundError(`Rule ${name} does not exist on EventBus ${bus}.`);
    return rule;
  }
}

/** The size AWS counts for a PutEvents entry: the same rule the publishers batch by. */
export const putEventsEntrySize: (entry: PutEventsRequestEntry) => number = entrySize;

function busNameOf(name: string | undefined): string {
  if (!name) return 'default';
  // An ARN names the bus after `event-bus/`.
  const arnMatch = /:event-bus\/(.+)$/.exec(name);
  return arnMatch?.[1] ?? name;
}

function ruleKey(bus: string, rule: string): string {
  return `${bus}\u0000${rule}`;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
