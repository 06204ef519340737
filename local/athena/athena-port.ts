/**
 * The Athena port: run one query to completion and get back what `GetQueryExecution` says about it. `DuckDbAthena`
 * runs it locally on DuckDB, `AwsAthena` on Amazon Athena; the Step Functions task handler
 * (`athena-sync-task.ts`) wraps either as `arn:aws:states:::athena:startQueryExecution.sync`.
 */

/** What `StartQueryExecution` needs here. */
export interface AthenaQueryRequest {
  readonly queryString: string;
  /** `QueryExecutionContext.Database`. */
  readonly database: string;
  /** Defaults to `primary`, as in Athena. */
  readonly workGroup?: string;
  /** `ResultConfiguration.OutputLocation`: an `s3://bucket/prefix/` URI; the result is `<prefix><id>.csv`. */
  readonly outputLocation: string;
}

export type AthenaQueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/**
 * Mirrors `QueryExecution` in Athena's `GetQueryExecution` response as the Step Functions `.sync` integration outputs
 * it: dates are epoch milliseconds (numbers), e.g. `"SubmissionDateTime": 1674054596025`.
 */
export interface AthenaQueryExecution {
  readonly QueryExecutionId: string;
  readonly Query: string;
  readonly StatementType: 'DML' | 'DDL' | 'UTILITY';
  readonly ResultConfiguration: { readonly OutputLocation: string };
  readonly ResultReuseConfiguration?: {
    readonly ResultReuseByAgeConfiguration: { readonly Enabled: boolean };
  };
  readonly QueryExecutionContext: { readonly Database: string; readonly Catalog?: string };
  readonly Status: {
    readonly State: AthenaQueryState;
    readonly StateChangeReason?: string;
    readonly SubmissionDateTime: number;
    readonly CompletionDateTime?: number;
    readonly AthenaError?: {
      readonly ErrorCategory?: number;
      readonly ErrorType?: number;
      readonly Retryable?: boolean;
      readonly ErrorMessage?: string;
    };
  };
  readonly Statistics: {
    readonly EngineExecutionTimeInMillis: number;
    readonly DataScannedInBytes: number;
    readonly TotalExecutionTimeInMillis: number;
    readonly QueryQueueTimeInMillis?: number;
    readonly ServicePreProcessingTimeInMillis?: number;
    readonly QueryPlanningTimeInMillis?: number;
    readonly ServiceProcessingTimeInMillis?: number;
    readonly ResultReuseInformation?: { readonly ReusedPreviousResult: boolean };
  };
  readonly WorkGroup: string;
  readonly EngineVersion?: {
    readonly SelectedEngineVersion: string;
    readonly EffectiveEngineVersion: string;
  };
  readonly SubstatementType?: string;
}

/**
 * Runs one Athena query to a terminal state. Resolves with the `SUCCEEDED` execution (the CSV result is then at
 * `ResultConfiguration.OutputLocation`); rejects with `AthenaQueryFailedError` (Error/Cause as Step Functions shows
 * them) when the query fails, is cancelled or cannot start. Aborting `signal` stops the query.
 */
export interface AthenaQueryEngine {
  execute(request: AthenaQueryRequest, signal?: AbortSignal): Promise<AthenaQueryExecution>;
}

/** The workgroup Athena uses when none is named. */
export const DEFAULT_WORK_GROUP = 'primary';

/** The catalog Athena names in `QueryExecutionContext.Catalog` and in table-not-found messages. */
export const ATHENA_DATA_CATALOG = 'awsdatacatalog';

/** `s3://bucket/prefix` + id → `s3://bucket/prefix/<id>.csv`, as Athena names a query's result object. */
export function resultObjectUri(outputLocation: string, queryExecutionId: string): string {
  const base = outputLocation.endsWith('/') ? outputLocation : `${outputLocation}/`;
  return `${base}${queryExecutionId}.csv`;
}
