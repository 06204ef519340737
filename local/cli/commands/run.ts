import { parseArgs } from 'node:util';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import { createLocalRuntime } from '../../runtime/local-runtime.ts';
import { ATHENA_OPTION_SPECS, ATHENA_OPTIONS_USAGE, athenaFromOptions } from '../athena-options.ts';
import { type Command, UsageError } from '../command.ts';
import {
  COMMON_OPTION_SPECS,
  COMMON_OPTIONS_USAGE,
  hourOption,
  resolveCommonOptions,
  tablesOption,
} from '../common-options.ts';
import { followImports, formatSummary, summarize } from '../import-report.ts';

const usage = `Usage: aurora-imports run --hour H [--tables a,b] [--force] [--json] [Athena options] [common options]

Starts the orchestrator for one hour on the local runtime, as a manual run or backfill would in AWS, and waits.
Tables already imported for that hour are skipped unless --force. Exit 0 only if no table failed.
  --hour H        the hour (UTC, e.g. 2026-11-27T10)
  --tables a,b    only these catalog tables (default: all)
  --force         re-import even when the ledger says done (recorded as a new attempt)
  --json          print the orchestrator's output as JSON instead of the summary
${ATHENA_OPTIONS_USAGE}
${COMMON_OPTIONS_USAGE}`;

export default {
  name: 'run',
  summary: 'starts the orchestrator for one hour on the local runtime',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        hour: { type: 'string' },
        tables: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        ...ATHENA_OPTION_SPECS,
      },
      strict: true,
    });
    if (!values.hour) throw new UsageError('--hour is required (e.g. --hour 2026-11-27T10)');
    const hour = hourOption(values.hour, '--hour');
    const common = resolveCommonOptions(values, io);
    const catalog = await loadCatalog(common.catalogPath);
    const tables = tablesOption(values.tables, catalog);
    const started = Date.now();
    const athena = athenaFromOptions(values, { catalog, dataDir: common.dataDir });
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
      const follow = followImports(runtime, io, tables ?? catalog.tables.map((table) => table.name));
      const result = await runtime.runHour({
        hour: hour.text,
        ...(tables ? { tables } : {}),
        force: values.force === true,
      });
      follow.stop();
      const summary = summarize(hour.text, follow.progress);
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ status: result.status, ...(result.output ? { output: JSON.parse(result.output) } : {}), ...(result.error ? { error: result.error, cause: result.cause } : {}) }, null, 2)}\n`,
        );
      } else io.stdout.write(formatSummary(summary, Date.now() - started));
      if (result.status !== 'SUCCEEDED' && summary.failed === 0) {
        io.stderr.write(`The orchestrator ended ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}\n`);
      }
      return result.status === 'SUCCEEDED' ? 0 : 1;
    } finally {
      await runtime.close();
      await athena.close();
    }
  },
} satisfies Command;
