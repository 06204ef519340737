import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryExecution } from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { AthenaQueryEngine, AthenaQueryExecution, AthenaQueryRequest, AthenaQueryState } from './athena-port.ts';
import { DEFAULT_WORK_GROUP } from './athena-port.ts';
import { ATHENA_EXCEPTION, ATHENA_TOO_MANY_REQUESTS, AthenaQueryFailedError, serviceErrorCause } from './errors.ts';

export interface AwsAthenaOptions {
  /** Defaults to a client for the ambient region and credentials. */
  readonly client?: AthenaClient;
  /** Polling of GetQueryExecution: first delay, growth factor and ceiling (ms). */
  readonly pollInitialDelayMs?: number;
  readonly pollBackoffRate?: number;
  readonly pollMaxDelayMs?: number;
  /** Throttled GetQueryExecution calls retried before giving up (the query keeps running meanwhile). */
  readonly pollThrottleRetries?: number;
}

/**
 * Athena through the AWS SDK, behaving like the Step Functions `athena:startQueryExecution.sync` integration:
 * StartQueryExecution, then GetQueryExecution with backoff until a terminal state. A failed or cancelled query, or
 * an API error, throws `AthenaQueryFailedError` with the Error/Cause Step Functions would report: the query's
 * `StateChangeReason` (or `AthenaError.ErrorMessage`) for failed queries, and for API errors the SDK-for-Java style
 * text `<message> (Service: AmazonAthena; Status Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)`.
 * Aborting the signal stops the query (StopQueryExecution) and rejects with the abort reason.
 */
export class AwsAthena implements AthenaQueryEngine {
  readonly #client: AthenaClient;
  readonly #initialDelay: number;
  readonly #backoffRate: number;
  readonly #maxDelay: number;
  readonly #throttleRetries: number;

  constructor(options: AwsAthenaOptions = {}) {
    this.#client = options.client ?? new AthenaClient({});
    this.#initialDelay = options.pollInitialDelayMs ?? 250;
    this.#backoffRate = options.pollBackoffRate ?? 1.5;
    this.#maxDelay = options.pollMaxDelayMs ?? 5_000;
    this.#throttleRetries = options.pollThrottleRetries ?? 5;
  }

  async execute(request: AthenaQueryRequest, signal?: AbortSignal): Promise<AthenaQueryExecution> {
    signal?.throwIfAborted();
    const started = await this.#client
      .send(
        new StartQueryExecutionCommand({
          QueryString: request.queryString,
          QueryExecutionContext: { Database: request.database },
          WorkGroup: request.workGroup ?? DEFAULT_WORK_GROUP,
          ResultConfiguration: { OutputLocation: request.outputLocation },
        }),
        { abortSignal: signal },
      )
      .catch((error: unknown) => {
        signal?.throwIfAborted();
        throw apiFailure(error);
      });
    const id = started.QueryExecutionId;
    if (id === undefined)
      throw new AthenaQueryFailedError(ATHENA_EXCEPTION, 'StartQueryExecution returned no QueryExecutionId');

    let delay = this.#initialDelay;
    let throttled = 0;
    try {
      for (;;) {
        await sleep(delay, undefined, { signal });
        delay = Math.min(this.#maxDelay, delay * this.#backoffRate);
        let execution: QueryExecution | undefined;
        try {
          execution = (
            await this.#client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal })
          ).QueryExecution;
        } catch (error) {
          signal?.throwIfAborted();
          if (isThrottle(error) && throttled++ < this.#throttleRetries) continue;
          throw apiFailure(error, id);
        }
        const state = execution?.Status?.State as AthenaQueryState | undefined;
        if (state === 'SUCCEEDED') return toExecution(execution!, request);
        if (state === 'FAILED' || state === 'CANCELLED') throw queryFailure(execution!, state, id);
      }
    } catch (error) {
      if (signal?.aborted) {
        await this.#client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw signal.reason;
      }
      throw error;
    }
  }
}

function isThrottle(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TooManyRequestsException' || name === 'ThrottlingException';
}

/** An API error as Step Functions shows it: only Athena's modelled throttling exception keeps its own name. */
export function apiFailure(error: unknown, queryExecutionId?: string): AthenaQueryFailedError {
  if (error instanceof AthenaQueryFailedError) return error;
  const details = error as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const code = typeof details?.name === 'string' ? details.name : 'AmazonAthenaException';
  const message = typeof details?.message === 'string' && details.message !== '' ? details.message : code;
  const cause = serviceErrorCause(
    message,
    details?.$metadata?.httpStatusCode ?? 400,
    code,
    details?.$metadata?.requestId ?? '00000000-0000-0000-0000-000000000000',
  );
  const name = code === 'TooManyRequestsException' ? ATHENA_TOO_MANY_REQUESTS : ATHENA_EXCEPTION;
  return new AthenaQueryFailedError(name, cause, queryExecutionId);
}

function queryFailure(execution: QueryExecution, state: 'FAILED' | 'CANCELLED', id: string): AthenaQueryFailedError {
  const status = execution.Status;
  const reason =
    status?.StateChangeReason ??
    status?.AthenaError?.ErrorMessage ??
    (state === 'CANCELLED' ? 'Query cancelled' : 'Query failed');
  return new AthenaQueryFailedError(ATHENA_EXCEPTION, reason, id);
}

function toExecution(execution: QueryExecution, request: AthenaQueryRequest): AthenaQueryExecution {
  const status = execution.Status;
  const statistics = execution.Statistics;
  const result: AthenaQueryExecution = {
    QueryExecutionId: execution.QueryExecutionId!,
    Query: execution.Query ?? request.queryString,
    StatementType: (execution.StatementType as AthenaQueryExecution['StatementType'] | undefined) ?? 'DML',
    ResultConfiguration: { OutputLocation: execution.ResultConfiguration?.OutputLocation ?? '' },
    QueryExecutionContext: {
      Database: execution.QueryExecutionContext?.Database ?? request.database,
      ...(execution.QueryExecutionContext?.Catalog ? { Catalog: execution.QueryExecutionContext.Catalog } : {}),
    },
    Status: {
      State: 'SUCCEEDED',
      SubmissionDateTime: status?.SubmissionDateTime?.getTime() ?? Date.now(),
      ...(status?.CompletionDateTime ? { CompletionDateTime: status.CompletionDateTime.getTime() } : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: statistics?.EngineExecutionTimeInMillis ?? 0,
      DataScannedInBytes: statistics?.DataScannedInBytes ?? 0,
      TotalExecutionTimeInMillis: statistics?.TotalExecutionTimeInMillis ?? 0,
      ...(statistics?.QueryQueueTimeInMillis !== undefined
        ? { QueryQueueTimeInMillis: statistics.QueryQueueTimeInMillis }
        : {}),
      ...(statistics?.QueryPlanningTimeInMillis !== undefined
        ? { QueryPlanningTimeInMillis: statistics.QueryPlanningTimeInMillis }
        : {}),
      ...(statistics?.ServiceProcessingTimeInMillis !== undefined
        ? { ServiceProcessingTimeInMillis: statistics.ServiceProcessingTimeInMillis }
        : {}),
    },
    WorkGroup: execution.WorkGroup ?? request.workGroup ?? DEFAULT_WORK_GROUP,
    ...(execution.EngineVersion?.SelectedEngineVersion && execution.EngineVersion.EffectiveEngineVersion
      ? {
          EngineVersion: {
            SelectedEngineVersion: execution.EngineVersion.SelectedEngineVersion,
            EffectiveEngineVersion: execution.EngineVersion.EffectiveEngineVersion,
          },
        }
      : {}),
  };
  return result;
}
