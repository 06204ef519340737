/**
 * What an Athena failure means, read from its Error name and its Cause text. Step Functions' Retry can match only
 * Error names, and Athena reports almost everything as `Athena.AmazonAthenaException`: the detail is in Cause.
 */
export type CauseClass =
  | 'throttling'
  | 's3-slowdown'
  | 'iceberg-commit'
  | 'internal'
  | 'timeout'
  | 'exhausted-resources'
  | 'syntax'
  | 'permission'
  | 'missing-object'
  | 'unclassified';

export interface CauseRule {
  readonly causeClass: CauseClass;
  readonly retryable: boolean;
  /** Matched against `${error}: ${cause}`. */
  readonly pattern: RegExp;
}

/**
 * Checked in order, first match wins. Permanent causes come first: "Query exhausted resources" can also mention
 * an internal error, and must not be retried.
 */
export const CAUSE_RULES: readonly CauseRule[] = [
  {
    causeClass: 'exhausted-resources',
    retryable: false,
    pattern: /exhausted resources|EXCEEDED_(MEMORY|TIME|CPU|LOCAL_MEMORY)_LIMIT/i,
  },
  {
    causeClass: 'syntax',
    retryable: false,
    pattern: /SYNTAX_ERROR|mismatched input|extraneous input|TYPE_MISMATCH|FUNCTION_NOT_FOUND|INVALID_CAST_ARGUMENT/i,
  },
  {
    causeClass: 'permission',
    retryable: false,
    pattern: /AccessDenied|Access Denied|PERMISSION_DENIED|not authorized|Insufficient Lake Formation/i,
  },
  {
    causeClass: 'missing-object',
    retryable: false,
    pattern: /TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|COLUMN_NOT_FOUND|does not exist|EntityNotFoundException|NoSuchBucket/i,
  },
  {
    causeClass: 'throttling',
    retryable: true,
    pattern: /TooManyRequestsException|Rate exceeded|ThrottlingException|Throttl(ed|ing)/i,
  },
  { causeClass: 's3-slowdown', retryable: true, pattern: /SlowDown|Please reduce your request rate/i },
  { causeClass: 'iceberg-commit', retryable: true, pattern: /ICEBERG_COMMIT_ERROR/ },
  {
    causeClass: 'internal',
    retryable: true,
    pattern:
      /INTERNAL_ERROR|InternalServerException|internal (server )?error|GENERIC_INTERNAL_ERROR|ServiceUnavailable|Service Unavailable|HIVE_CURSOR_ERROR|Status Code: 5\d\d/i,
  },
  { causeClass: 'timeout', retryable: true, pattern: /^States\.(Timeout|HeartbeatTimeout):/ },
];

export interface CauseMatch {
  readonly causeClass: CauseClass;
  readonly retryable: boolean;
}

/** Classifies one Athena failure. An unknown cause is not retried: failing fast alarms a human. */
export function matchCause(error: string, cause: string): CauseMatch {
  const text = `${error}: ${cause}`;
  for (const rule of CAUSE_RULES) {
    if (rule.pattern.test(text)) return { causeClass: rule.causeClass, retryable: rule.retryable };
  }
  return { causeClass: 'unclassified', retryable: false };
}
