/**
 * Failures of the local event bus. Each carries the AWS error code EventBridge would answer with, so callers (and
 * the `test-event-pattern` command) can report exactly what AWS would.
 */

/** An event pattern AWS would reject (`InvalidEventPatternException`); the message is AWS's wording where known. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  readonly code = 'InvalidEventPatternException';
  /** The reason alone, without the `Event pattern is not valid. Reason: ` prefix. */
  readonly reason: string;
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

/** An event that is not a JSON object with the envelope fields AWS requires (`ValidationException`). */
export class InvalidEventParameterError extends Error {
  override readonly name = 'InvalidEventParameterError';
  readonly code = 'ValidationException';
  /** What exactly is wrong, for humans; AWS itself only says `Parameter Event is not valid.` */
  readonly detail: string;
  constructor(detail: string) {
    super('Parameter Event is not valid.');
    this.detail = detail;
  }
}

/** A PutRule / PutTargets request AWS would reject (`ValidationException`). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code = 'ValidationException';
}

/** A bus, rule or archive that does not exist (`ResourceNotFoundException`). */
export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
  readonly code = 'ResourceNotFoundException';
}
