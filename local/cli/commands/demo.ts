import { parseArgs } from 'node:util';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import { generateSampleData } from '../../demo/generate-sample-data.ts';
import { emrStepCompletedEvent } from '../../runtime/emr-trigger.ts';
import { createLocalRuntime } from '../../runtime/local-runtime.ts';
import { ATHENA_OPTION_SPECS, ATHENA_OPTIONS_USAGE, athenaFromOptions } from '../athena-options.ts';
import { type Command, UsageError } from '../command.ts';
import { COMMON_OPTION_SPECS, COMMON_OPTIONS_USAGE, hourOption, resolveCommonOptions } from '../common-options.ts';
import { followImports, formatSummary, summarize } from '../import-report.ts';

/** The demo's hour: fixed, so that a second `npm start` finds it imported and says so. */
export const DEMO_HOUR = '2026-11-27T10';

const usage = `Usage: aurora-imports demo [--hour H] [--scale N] [Athena options] [common options]

Makes sample EMR output for one hour if absent, puts an EMR Step Status Change COMPLETED event on the local bus,
runs the whole pipeline (orchestrator → per-table imports) and prints a summary. Exit 0 only if no table failed.
  --hour H              the hour to import (default ${DEMO_HOUR})
  --scale N             multiplies the sample data size (default 1: ~450,000 rows over the demo tables)
${ATHENA_OPTIONS_USAGE}
${COMMON_OPTIONS_USAGE}`;

export default {
  name: 'demo',
  summary: 'a whole hourly import on the embedded runtime (what npm start runs)',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        hour: { type: 'string' },
        scale: { type: 'string' },
        ...ATHENA_OPTION_SPECS,
      },
      strict: true,
    });
    const common = resolveCommonOptions(values, io);
    const hour = hourOption(values.hour ?? DEMO_HOUR, '--hour');
    const scale = values.scale === undefined ? 1 : Number(values.scale);
    if (!(scale > 0)) throw new UsageError(`--scale must be a positive number, got '${values.scale}'`);
    const catalog = await loadCatalog(common.catalogPath);
    const started = Date.now();
    const where = common.databaseUrl
      ? `PostgreSQL ${new URL(common.databaseUrl).host}`
      : `embedded PGlite in ${common.stateDir}`;
    io.stderr.write(`aurora-imports demo: hour ${hour.text}, database: ${where}\n`);

    const athena = athenaFromOptions(values, { catalog, dataDir: common.dataDir });
    if (athena.kind === 'duckdb') {
      const sample = await generateSampleData({ catalog, dataDir: common.dataDir, hour, scale });
      const rows = sample.generated.reduce((sum, table) => sum + table.rows, 0);
      if (sample.generated.length > 0) {
        io.stderr.write(
          `Generated sample EMR output: ${rows} rows over ${sample.generated.length} tables in ${common.dataDir}\n`,
        );
      }
      if (sample.skipped.length > 0) {
        io.stderr.write(`Sample EMR output already present for ${sample.skipped.length} tables.\n`);
      }
    }
    const runtime = await createLocalRuntime({
      stateDir: common.stateDir,
      databaseUrl: common.databaseUrl,
      catalog,
      dataDir: common.dataDir,
      athena: athena.athena,
      athenaWorkGroup: athena.workGroup,
      athenaOutputLocation: athena.outputLocation,
      resultStore: athena.resultStore,
    });
    try {
      const tables = catalog.tables.map((table) => table.name);
      const follow = followImports(runtime, io, tables);
      const event = emrStepCompletedEvent(hour);
      const detail = event.detail as { name: string; stepId: string };
      io.stderr.write(
        `EMR step '${detail.name}' (${detail.stepId}) COMPLETED → EventBridge → orchestrateAuroraImports\n`,
      );
      await runtime.putEvents([event]);
      const executions = await runtime.settle();
      follow.stop();
      if (executions.length === 0) {
        io.stderr.write('The EMR event matched no rule: nothing started.\n');
        return 1;
      }
      const summary = summarize(hour.text, follow.progress);
      io.stdout.write(formatSummary(summary, Date.now() - started));
      const orchestration = executions[0]!;
      if (orchestration.status !== 'SUCCEEDED' && summary.failed === 0) {
        io.stderr.write(
          `The orchestrator ended ${orchestration.status}: ${orchestration.error ?? ''} ${orchestration.cause ?? ''}\n`,
        );
        return 1;
      }
      return summary.failed === 0 ? 0 : 1;
    } finally {
      await runtime.close();
      await athena.close();
    }
  },
} satisfies Command;
