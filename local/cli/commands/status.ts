import { parseArgs } from 'node:util';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import type { Hour } from '../../../functions/shared/hour.ts';
import { formatLedgerGrid, readLedgerGrid } from '../../runtime/ledger-grid.ts';
import { openDatabase } from '../../runtime/open-database.ts';
import { type Command, UsageError } from '../command.ts';
import { COMMON_OPTION_SPECS, COMMON_OPTIONS_USAGE, hourOption, resolveCommonOptions } from '../common-options.ts';

const usage = `Usage: aurora-imports status [--hour H | --from H --to H] [--json] [common options]

Shows the hour × table grid from the ledger: what was imported, what failed, what is missing (the gaps).
  --hour H           one hour (UTC, e.g. 2026-11-27T10)
  --from H --to H    a range of hours, both inclusive
  --json             machine-readable output
${COMMON_OPTIONS_USAGE}`;

export default {
  name: 'status',
  summary: 'the hour × table grid from the ledger, with the gaps',
  usage,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        hour: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (values.hour && (values.from || values.to)) throw new UsageError('give --hour or --from/--to, not both');
    if (Boolean(values.from) !== Boolean(values.to)) throw new UsageError('--from and --to go together');
    const common = resolveCommonOptions(values, io);
    const catalog = await loadCatalog(common.catalogPath);
    let range: { from: Hour; to: Hour } | undefined;
    if (values.hour) range = { from: hourOption(values.hour, '--hour'), to: hourOption(values.hour, '--hour') };
    else if (values.from && values.to)
      range = { from: hourOption(values.from, '--from'), to: hourOption(values.to, '--to') };
    if (range && range.from.start > range.to.start) throw new UsageError('--from is after --to');
    const database = await openDatabase({ databaseUrl: common.databaseUrl, stateDir: common.stateDir, catalog });
    try {
      const grid = await readLedgerGrid(database.db, catalog, range);
      io.stdout.write(values.json ? `${JSON.stringify(grid, null, 2)}\n` : formatLedgerGrid(grid));
      return 0;
    } finally {
      await database.close();
    }
  },
} satisfies Command;
