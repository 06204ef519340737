/**
 * The Step Functions error names an Athena task fails with (design.md section 2): `Athena.AmazonAthenaException`
 * for failed queries and most API errors, `Athena.TooManyRequestsException` when Athena throttles the start.
 */
export type AthenaErrorName = 'Athena.AmazonAthenaException' | 'Athena.TooManyRequestsException' | 'States.TaskFailed';

export const ATHENA_EXCEPTION = 'Athena.AmazonAthenaException';
export const ATHENA_TOO_MANY_REQUESTS = 'Athena.TooManyRequestsException';

/**
 * An Athena query that failed, was cancelled or could not start. `error` and `cause` are what a Step Functions
 * `athena:startQueryExecution.sync` task reports as Error and Cause; `name` is `error` and `message` is `cause`,
 * so the local Step Functions engine (which maps a thrown error's name/message to Error/Cause) shows the same.
 */
export class AthenaQueryFailedError extends Error {
  readonly error: string;
  override readonly cause: string;
  /** The execution id when the query got one. */
  readonly queryExecutionId: string | undefined;

  constructor(error: string, cause: string, queryExecutionId?: string) {
    super(cause);
    this.name = error;
    this.error = error;
    this.cause = cause;
    this.queryExecutionId = queryExecutionId;
  }
}

/** A fake AWS request id, shaped like the real ones (a UUID), for local causes that quote one. */
export function requestIdText(): string {
  return crypto.randomUUID();
}

/** The text Step Functions shows for an Athena API error surfaced through the AWS SDK for Java. */
export function serviceErrorCause(message: string, statusCode: number, errorCode: string, requestId: string): string {
  return `${message} (Service: AmazonAthena; Status Code: ${statusCode}; Error Code: ${errorCode}; Request ID: ${requestId}; Proxy: null)`;
}

/** The cause of a throttled StartQueryExecution, as Step Functions shows it. */
export function throttlingCause(requestId: string = requestIdText()): string {
  return serviceErrorCause('Rate exceeded', 400, 'ThrottlingException', requestId);
}
