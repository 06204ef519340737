/** Failures around our events. One class per failure (Powertools style). */

/** An event we were about to publish does not match its JSON Schema: a bug in our code, never published. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  readonly detailType: string;
  /** JSON pointer of the offending field inside `detail` (e.g. `/hour`), or '' for the detail itself. */
  readonly field: string;
  constructor(detailType: string, field: string, problem: string) {
    super(`Invalid '${detailType}' event: detail${field === '' ? '' : field.replaceAll('/', '.')} ${problem}`);
    this.detailType = detailType;
    this.field = field;
  }
}

/** One entry that could not be published after every try. */
export interface UnpublishedEntry {
  readonly detailType: string;
  readonly detail: unknown;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Some events were still not accepted after the last resend: they are listed, never dropped silently. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  readonly unpublished: readonly UnpublishedEntry[];
  /** Event ids of the entries that were published before giving up. */
  readonly publishedEventIds: readonly string[];
  constructor(unpublished: readonly UnpublishedEntry[], publishedEventIds: readonly string[]) {
    const summary = unpublished
      .slice(0, 5)
      .map((u) => `${u.detailType} (${u.errorCode}: ${u.errorMessage})`)
      .join('; ');
    super(`${unpublished.length} event(s) could not be published: ${summary}${unpublished.length > 5 ? '; ...' : ''}`);
    this.unpublished = unpublished;
    this.publishedEventIds = publishedEventIds;
  }
}

/** An event that is not one we consume (other source or detail type): skip it. */
export class UnrelatedEventError extends Error {
  override readonly name = 'UnrelatedEventError';
}

/** An event that claims to be one we consume but lacks or mistypes a field we need. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}
