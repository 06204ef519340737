import type { HistoryEvent } from '../stepfunctions/index.ts';
import { IMPORT_STATE_MACHINE_NAME } from './local-functions.ts';

export type TablePhase =
  | 'queued'
  | 'checking ledger'
  | 'querying Athena'
  | 'waiting to retry Athena'
  | 'importing into Aurora'
  | 'publishing'
  | 'succeeded'
  | 'skipped'
  | 'failed';

/** What is known of one table's import in this run. */
export interface TableProgress {
  readonly table: string;
  phase: TablePhase;
  /** Athena queries started (1 = no retry). */
  athenaAttempts: number;
  rowsInserted?: number;
  rowsUpdated?: number;
  rowsDeleted?: number;
  reason?: string;
  error?: string;
  cause?: string;
  startedAt?: number;
  endedAt?: number;
}

const PHASE_OF_STATE: Readonly<Record<string, TablePhase>> = {
  PrepareImport: 'checking ledger',
  QueryAthena: 'querying Athena',
  ClassifyAthenaError: 'querying Athena',
  WaitBeforeAthenaRetry: 'waiting to retry Athena',
  ImportIntoAurora: 'importing into Aurora',
  PublishImportSucceeded: 'publishing',
};

function parseJson(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Follows the import executions of a run through the engine's history events: which table is in which phase, how
 * many Athena attempts, the rows each import wrote. Feeds the CLI's live progress and its summary.
 */
export class ImportProgress {
  readonly tables = new Map<string, TableProgress>();
  readonly #tableOfExecution = new Map<string, string>();
  readonly #onChange: (progress: TableProgress) => void;

  constructor(tables: readonly string[], onChange: (progress: TableProgress) => void = () => {}) {
    for (const table of tables) this.tables.set(table, { table, phase: 'queued', athenaAttempts: 0 });
    this.#onChange = onChange;
  }

  /** Give it every engine history event (`engine.onEvent(progress.observe)`). */
  readonly observe = (event: HistoryEvent): void => {
    if (!event.executionArn.includes(`:execution:${IMPORT_STATE_MACHINE_NAME}:`)) return;
    if (event.type === 'ExecutionStarted') {
      const table = parseJson(event.details?.input).table;
      if (typeof table !== 'string') return;
      this.#tableOfExecution.set(event.executionArn, table);
      const progress = this.#get(table);
      progress.startedAt = event.timestamp.getTime();
      this.#onChange(progress);
      return;
    }
    const table = this.#tableOfExecution.get(event.executionArn);
    if (!table) return;
    const progress = this.#get(table);
    if (event.type.endsWith('StateEntered')) {
      const state = String(event.details?.name);
      if (state === 'QueryAthena') progress.athenaAttempts += 1;
      const phase = PHASE_OF_STATE[state];
      if (phase && phase !== progress.phase) {
        progress.phase = phase;
        this.#onChange(progress);
      } else if (state === 'QueryAthena') this.#onChange(progress);
      return;
    }
    if (event.type === 'ExecutionSucceeded') {
      const output = parseJson(event.details?.output);
      progress.phase = output.status === 'skipped' ? 'skipped' : 'succeeded';
      if (typeof output.reason === 'string') progress.reason = output.reason;
      for (const key of ['rowsInserted', 'rowsUpdated', 'rowsDeleted'] as const) {
        if (typeof output[key] === 'number') progress[key] = output[key] as number;
      }
      progress.endedAt = event.timestamp.getTime();
      this.#onChange(progress);
    } else if (
      event.type === 'ExecutionFailed' ||
      event.type === 'ExecutionAborted' ||
      event.type === 'ExecutionTimedOut'
    ) {
      progress.phase = 'failed';
      progress.error = typeof event.details?.error === 'string' ? event.details.error : event.type;
      if (typeof event.details?.cause === 'string') progress.cause = event.details.cause;
      progress.endedAt = event.timestamp.getTime();
      this.#onChange(progress);
    }
  };

  #get(table: string): TableProgress {
    let progress = this.tables.get(table);
    if (!progress) {
      progress = { table, phase: 'queued', athenaAttempts: 0 };
      this.tables.set(table, progress);
    }
    return progress;
  }
}

/** A Lambda failure's Cause is `{"errorMessage", "errorType", "trace"}`: show the message, not the JSON. */
function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: Athena and Step Functions causes are plain text.
  }
  return cause;
}

/** One line per table: the live view and the final summary share it. */
export function formatProgressLine(progress: TableProgress, width: number): string {
  const name = progress.table.padEnd(width);
  const attempts = progress.athenaAttempts > 1 ? ` (Athena attempt ${progress.athenaAttempts})` : '';
  switch (progress.phase) {
    case 'succeeded':
      return `${name}  imported: ${progress.rowsInserted ?? 0} inserted, ${progress.rowsUpdated ?? 0} updated, ${progress.rowsDeleted ?? 0} deleted${attempts}`;
    case 'skipped':
      return `${name}  skipped: ${progress.reason ?? ''}`;
    case 'failed':
      return `${name}  FAILED: ${progress.error ?? ''}${progress.cause ? `: ${readableCause(progress.cause).slice(0, 300)}` : ''}${attempts}`;
    default:
      return `${name}  ${progress.phase}${attempts}`;
  }
}
