import type { AthenaQueryEngine, AthenaQueryExecution } from './athena-port.ts';
import { ATHENA_EXCEPTION, AthenaQueryFailedError, requestIdText, serviceErrorCause } from './errors.ts';

/** The ASL `Arguments` of an `arn:aws:states:::athena:startQueryExecution.sync` task (the parts used here). */
export interface StartQueryExecutionSyncInput {
  readonly QueryString: string;
  readonly WorkGroup?: string;
  readonly QueryExecutionContext?: { readonly Database?: string; readonly Catalog?: string };
  readonly ResultConfiguration?: { readonly OutputLocation?: string };
}

/** What the `.sync` integration outputs: GetQueryExecution's response. */
export interface StartQueryExecutionSyncOutput {
  readonly QueryExecution: AthenaQueryExecution;
}

export interface AthenaSyncTaskOptions {
  /** The workgroup's output location, used when the task names none (Athena's workgroup setting). */
  readonly defaultOutputLocation?: string;
  /** Athena's default database for unqualified names when the task names none. */
  readonly defaultDatabase?: string;
}

export type AthenaSyncTaskHandler = (
  input: unknown,
  context: { readonly signal: AbortSignal },
) => Promise<StartQueryExecutionSyncOutput>;

/**
 * The local Step Functions task for `arn:aws:states:::athena:startQueryExecution.sync`: runs the query on `engine`
 * and resolves with `{QueryExecution: {...}}` as the real integration does. Failures throw an error whose `name` is
 * the Step Functions Error (`Athena.AmazonAthenaException`, `Athena.TooManyRequestsException`) and whose `message`
 * is the Cause; an input Athena would refuse fails like its InvalidRequestException.
 */
export function createAthenaSyncTaskHandler(
  engine: AthenaQueryEngine,
  options: AthenaSyncTaskOptions = {},
): AthenaSyncTaskHandler {
  return async (input, { signal }) => {
    const args = (typeof input === 'object' && input !== null ? input : {}) as Partial<
      Record<keyof StartQueryExecutionSyncInput, unknown>
    >;
    const invalid = (message: string): never => {
      throw new AthenaQueryFailedError(
        ATHENA_EXCEPTION,
        serviceErrorCause(message, 400, 'InvalidRequestException', requestIdText()),
      );
    };
    const queryString = args.QueryString;
    if (typeof queryString !== 'string' || queryString.trim() === '')
      invalid(
        "1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null",
      );
    const context = args.QueryExecutionContext as StartQueryExecutionSyncInput['QueryExecutionContext'];
    const database = context?.Database ?? options.defaultDatabase ?? 'default';
    const outputLocation =
      (args.ResultConfiguration as StartQueryExecutionSyncInput['ResultConfiguration'])?.OutputLocation ??
      options.defaultOutputLocation;
    if (typeof outputLocation !== 'string' || !outputLocation.startsWith('s3://'))
      invalid(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    const workGroup = typeof args.WorkGroup === 'string' ? args.WorkGroup : undefined;
    const execution = await engine.execute(
      {
        queryString: queryString as string,
        database,
        outputLocation: outputLocation as string,
        ...(workGroup ? { workGroup } : {}),
      },
      signal,
    );
    return { QueryExecution: execution };
  };
}
