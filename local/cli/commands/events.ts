import { parseArgs } from 'node:util';
import { type ArchivedEvent, readArchive } from '../../eventbridge/bus-state.ts';
import type { Command } from '../command.ts';
import { COMMON_OPTION_SPECS, resolveCommonOptions } from '../common-options.ts';

const USAGE = `Usage: aurora-imports events [--json] [--detail-type TYPE] [--source SOURCE] [--state-dir DIR]

Lists the events put on the local bus (its archive under <state dir>/bus/), oldest first, earlier runs included.
  --json               print a JSON array of the events (EventBridge envelopes) instead of a table
  --detail-type TYPE   only events of this detail-type
  --source SOURCE      only events of this source`;

/** The detail fields worth a glance, per kind of event; other events show their first scalar fields. */
const KEY_FIELDS: Record<string, readonly string[]> = {
  'Import Succeeded': ['table', 'hour', 'rowsInserted', 'rowsUpdated', 'rowsDeleted', 'durationMs'],
  'Import Retrying': ['table', 'hour', 'stage', 'attempt', 'error', 'nextDelaySeconds'],
  'Import Failed': ['table', 'hour', 'stage', 'attempts', 'error'],
  'Import Skipped': ['table', 'hour', 'reason'],
  'Orchestration Completed': ['hour', 'succeeded', 'failed', 'skipped', 'durationMs'],
  'EMR Step Status Change': ['name', 'state', 'stepId', 'clusterId'],
  'EMR Cluster State Change': ['name', 'state', 'clusterId'],
  'EMR Serverless Job Run State Change': ['jobRunName', 'state', 'applicationId', 'jobRunId'],
};

/** `key=value` pairs of an event's detail for the table view. */
export function summarizeDetail(detailType: string, detail: unknown): string {
  if (typeof detail !== 'object' || detail === null) return '';
  const record = detail as Record<string, unknown>;
  const keys =
    KEY_FIELDS[detailType] ??
    Object.keys(record)
      .filter((k) => record[k] === null || typeof record[k] !== 'object')
      .slice(0, 4);
  return keys
    .filter((key) => record[key] !== undefined)
    .map((key) => {
      const value = record[key];
      const text = Array.isArray(value) ? `[${value.join(',')}]` : String(value);
      return `${key}=${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
    })
    .join(' ');
}

function table(events: readonly ArchivedEvent[]): string {
  const rows = events.map(({ event }) => [
    String(event.time ?? ''),
    String(event.source ?? ''),
    String(event['detail-type'] ?? ''),
    summarizeDetail(String(event['detail-type'] ?? ''), event.detail),
  ]);
  const header = ['TIME', 'SOURCE', 'DETAIL-TYPE', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export default {
  name: 'events',
  summary: 'list the events put on the local bus, oldest first',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        json: { type: 'boolean', default: false },
        'detail-type': { type: 'string' },
        source: { type: 'string' },
      },
      strict: true,
    });
    const { stateDir } = resolveCommonOptions(values, io);
    const events = readArchive(stateDir).filter(
      ({ event }) =>
        (values['detail-type'] === undefined || event['detail-type'] === values['detail-type']) &&
        (values.source === undefined || event.source === values.source),
    );
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify(
          events.map((e) => e.event),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (events.length === 0) {
      io.stderr.write(`No events on the local bus yet (state dir ${stateDir}).\n`);
      return 0;
    }
    io.stdout.write(`${table(events)}\n`);
    return 0;
  },
} satisfies Command;
