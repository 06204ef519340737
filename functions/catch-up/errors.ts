/** The catch-up's configuration (its Lambda environment) is invalid. The message names the variable. */
export class CatchUpConfigError extends Error {
  override readonly name = 'CatchUpConfigError';
}

/** The orchestrator could not be started for an hour (other than "already started"). */
export class OrchestrationStartError extends Error {
  override readonly name = 'OrchestrationStartError';
  readonly hour: string;

  constructor(hour: string, message: string, options?: ErrorOptions) {
    super(`hour ${hour}: ${message}`, options);
    this.hour = hour;
  }
}
