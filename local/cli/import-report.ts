import { formatProgressLine, ImportProgress, type TableProgress } from '../runtime/import-progress.ts';
import type { LocalRuntime } from '../runtime/local-runtime.ts';
import type { CommandIo } from './command.ts';

/**
 * Live per-table progress on stderr while a run goes (one line per change; redrawn in place on a terminal), and the
 * final summary on stdout.
 */
export function followImports(
  runtime: LocalRuntime,
  io: CommandIo,
  tables: readonly string[],
): { progress: ImportProgress; stop: () => void } {
  const width = Math.max(...tables.map((t) => t.length), 5);
  const stream = io.stderr as NodeJS.WriteStream;
  const live = stream.isTTY === true;
  let drawn = 0;
  const redraw = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    const lines = [...progress.tables.values()].map((p) => `\x1b[2K  ${formatProgressLine(p, width)}`);
    stream.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const onChange = (p: TableProgress) => {
    if (live) redraw();
    else io.stderr.write(`  ${formatProgressLine(p, width)}\n`);
  };
  const progress = new ImportProgress(tables, onChange);
  const unsubscribe = runtime.engine.onEvent(progress.observe);
  return { progress, stop: unsubscribe };
}

export interface RunSummary {
  readonly hour: string;
  readonly tables: readonly TableProgress[];
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
}

export function summarize(hour: string, progress: ImportProgress): RunSummary {
  const tables = [...progress.tables.values()];
  return {
    hour,
    tables,
    succeeded: tables.filter((t) => t.phase === 'succeeded').length,
    skipped: tables.filter((t) => t.phase === 'skipped').length,
    failed: tables.filter((t) => t.phase !== 'succeeded' && t.phase !== 'skipped').length,
  };
}

/** The summary table printed at the end of `demo` and `run`. */
export function formatSummary(summary: RunSummary, elapsedMs: number): string {
  const width = Math.max(...summary.tables.map((t) => t.table.length), 5);
  const lines = [`Hour ${summary.hour}:`, ...summary.tables.map((t) => `  ${formatProgressLine(t, width)}`)];
  const rows = summary.tables.reduce((sum, t) => sum + (t.rowsInserted ?? 0) + (t.rowsUpdated ?? 0), 0);
  lines.push(
    '',
    `${summary.succeeded} imported (${rows} rows written), ${summary.skipped} skipped, ${summary.failed} failed, in ${(elapsedMs / 1000).toFixed(1)} s.`,
  );
  if (summary.succeeded === 0 && summary.failed === 0 && summary.skipped > 0) {
    lines.push('Nothing new to import: every table of this hour is already in the ledger (use --force to re-import).');
  }
  return `${lines.join('\n')}\n`;
}
