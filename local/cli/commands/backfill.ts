import { parseArgs } from 'node:util';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import {
  type BackfillHourResult,
  BackfillRangeError,
  type BackfillResult,
  hourFailed,
  MAX_BACKFILL_HOURS,
  parseBackfillRange,
  runBackfill,
} from '../../runtime/backfill.ts';
import { formatProgressLine } from '../../runtime/import-progress.ts';
import { createLocalRuntime } from '../../runtime/local-runtime.ts';
import { LocalSourceDataProbe } from '../../runtime/local-source-data-probe.ts';
import { type Command, UsageError } from '../command.ts';
import { COMMON_OPTION_SPECS, resolveCommonOptions, tablesOption } from '../common-options.ts';

const usage = `Usage: aurora-imports backfill --from H --to H [--tables a,b] [--force] [--json] [common options]

Runs the orchestrator on the local runtime for every hour from --from to --to (both included, at most
${MAX_BACKFILL_HOURS} hours), oldest first, one hour after another so heavy imports never overlap. Reads the lake in
--data-dir; it does not make data (aurora-imports demo --hour H does): a table-hour without source files is not run
and is reported as "no data". Tables already imported are skipped unless --force. Exit 0 only if no table failed.
  --from H        first hour (UTC, e.g. 2026-11-27T00)
  --to H          last hour, included
  --tables a,b    only these catalog tables (default: all)
  --force         re-import even when the ledger says done
  --json          print the result as JSON instead of the summary
Common options: --state-dir DIR, --database-url URL, --catalog FILE, --data-dir DIR`;

function hourLine(result: BackfillHourResult): string {
  const parts = [
    `${result.succeeded} imported (${result.rowsWritten} rows)`,
    `${result.skipped} skipped`,
    `${result.failed} failed`,
    `${result.noData.length} no data`,
  ];
  const note =
    result.status === 'NOT_STARTED'
      ? ' (no source data for any table: not run)'
      : result.error
        ? ` (orchestrator ${result.status}: ${result.error.slice(0, 200)})`
        : '';
  return `${parts.join(', ')}, ${(result.durationMs / 1000).toFixed(1)} s${note}`;
}

/** The final summary: one row per hour, totals, then what needs attention. */
export function formatBackfillSummary(result: BackfillResult, elapsedMs: number): string {
  const header = ['hour', 'imported', 'skipped', 'failed', 'no data', 'rows'];
  const rows = result.hours.map((hour) => [
    hour.hour,
    String(hour.succeeded),
    String(hour.skipped),
    String(hour.failed + (hour.error && hour.failed === 0 ? 1 : 0)),
    String(hour.noData.length),
    String(hour.rowsWritten),
  ]);
  const t = result.totals;
  const totalRow = [
    'total',
    String(t.succeeded),
    String(t.skipped),
    String(t.failed),
    String(t.noData),
    String(t.rowsWritten),
  ];
  const all = [header, ...rows, totalRow];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [
    `Backfill ${result.from} .. ${result.to}: ${result.hours.length} hour(s) × ${result.tables.length} table(s)${result.force ? ', forced' : ''}`,
    line(header),
    ...rows.map(line),
    line(totalRow),
    '',
  ];
  const failures = result.hours.flatMap((hour) =>
    hour.tables
      .filter((t) => t.phase !== 'succeeded' && t.phase !== 'skipped')
      .map((t) => `  ${hour.hour}  ${formatProgressLine(t, 0)}`),
  );
  const orchestratorErrors = result.hours
    .filter((hour) => hour.error !== undefined)
    .map((hour) => `  ${hour.hour}  orchestrator ${hour.status}: ${hour.error}`);
  if (failures.length + orchestratorErrors.length > 0) lines.push('Failed:', ...failures, ...orchestratorErrors, '');
  const missing = result.hours.filter((hour) => hour.noData.length > 0);
  if (missing.length > 0) {
    lines.push(`No source data (not imported) for ${t.noData} table-hour(s):`);
    for (const hour of missing) {
      const what = hour.noData.length === result.tables.length ? 'every table' : hour.noData.join(', ');
      lines.push(`  ${hour.hour}  ${what}`);
    }
    lines.push(
      'The lake has no files for them: let the producer (EMR) write them, or make sample data with',
      '`aurora-imports demo --hour H`, then run the backfill again.',
      '',
    );
  }
  const failed = result.hours.filter(hourFailed).length;
  lines.push(
    failed === 0
      ? `Done in ${(elapsedMs / 1000).toFixed(1)} s: no table failed.`
      : `Done in ${(elapsedMs / 1000).toFixed(1)} s: ${failed} hour(s) had failures.`,
  );
  return `${lines.join('\n')}\n`;
}

export default {
  name: 'backfill',
  summary: 'runs the orchestrator for a range of hours, one hour after another',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        from: { type: 'string' },
        to: { type: 'string' },
        tables: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    let range: ReturnType<typeof parseBackfillRange>;
    try {
      range = parseBackfillRange(values.from, values.to);
    } catch (error) {
      if (error instanceof BackfillRangeError) throw new UsageError(error.message);
      throw error;
    }
    const common = resolveCommonOptions(values, io);
    const catalog = await loadCatalog(common.catalogPath);
    const tables = tablesOption(values.tables, catalog);

    const started = Date.now();
    const runtime = await createLocalRuntime({
      stateDir: common.stateDir,
      databaseUrl: common.databaseUrl,
      catalog,
      dataDir: common.dataDir,
    });
    try {
      const width = String(range.hours.length).length;
      const result = await runBackfill({
        runtime,
        probe: new LocalSourceDataProbe({ dataDir: common.dataDir }),
        hours: range.hours,
        ...(tables ? { tables } : {}),
        force: values.force === true,
        onHourDone: (hour, index, total) => {
          io.stderr.write(`[${String(index + 1).padStart(width)}/${total}] ${hour.hour}  ${hourLine(hour)}\n`);
          for (const table of hour.tables.filter((t) => t.phase === 'failed')) {
            io.stderr.write(`    ${formatProgressLine(table, 0)}\n`);
          }
        },
      });
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(formatBackfillSummary(result, Date.now() - started));
      return result.hours.some(hourFailed) ? 1 : 0;
    } finally {
      await runtime.close();
    }
  },
} satisfies Command;
