import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import stepCompleted from '../../events/samples/emr-step-completed.json' with { type: 'json' };
import { main } from '../../local/cli/main.ts';
import { VirtualClock } from '../../local/clock.ts';
import { LocalEventBridge } from '../../local/eventbridge/event-bus.ts';
import { LocalBusPublisher } from '../../local/eventbridge/local-bus-publisher.ts';
import { captureIo } from '../support/capture-io.ts';

const workDir = mkdtempSync(join(tmpdir(), 'eb-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(workDir);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('aurora-imports test-event-pattern', () => {
  it('prints {"Result": true|false} for inline JSON and @FILE arguments', async () => {
    writeFileSync(join(workDir, 'event.json'), JSON.stringify(stepCompleted));
    const match = await cli([
      'test-event-pattern',
      '--event-pattern',
      '{"source": ["aws.emr"], "detail": {"state": ["COMPLETED"], "name": [{"prefix": "hourly-"}]}}',
      '--event',
      '@event.json',
    ]);
    expect(match).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(match.stdout)).toEqual({ Result: true });
    const noMatch = await cli([
      'test-event-pattern',
      '--event-pattern',
      '{"source": ["aws.s3"]}',
      '--event',
      '@event.json',
    ]);
    expect(JSON.parse(noMatch.stdout)).toEqual({ Result: false });
  });

  it('exits non-zero with AWS reason for an invalid pattern or event', async () => {
    const badPattern = await cli([
      'test-event-pattern',
      '--event-pattern',
      '{"detail": {"n": [{"numeric": [">", 0, ">", 0]}]}}',
      '--event',
      JSON.stringify(stepCompleted),
    ]);
    expect(badPattern.code).toBe(1);
    expect(badPattern.stdout).toBe('');
    expect(badPattern.stderr).toContain(
      '(InvalidEventPatternException) when calling the TestEventPattern operation: Event pattern is not valid. Reason: Bad numeric range operator: >',
    );
    const badJson = await cli(['test-event-pattern', '--event-pattern', "{'bad': 1}", '--event', '{}']);
    expect(badJson.stderr).toContain(
      "Reason: Unexpected character (''' (code 39)): was expecting double-quote to start field name",
    );
    const badEvent = await cli(['test-event-pattern', '--event-pattern', '{"a": ["b"]}', '--event', '["x"]']);
    expect(badEvent.code).toBe(1);
    expect(badEvent.stderr).toContain('(ValidationException)');
    expect(badEvent.stderr).toContain('Parameter Event is not valid.');
  });

  it('treats a missing option or unreadable file as a usage error', async () => {
    expect((await cli(['test-event-pattern', '--event', '{}'])).code).toBe(2);
    const missing = await cli(['test-event-pattern', '--event-pattern', '@missing.json', '--event', '{}']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.json');
  });
});

describe('aurora-imports events', () => {
  it('lists the archive of the state dir oldest first, as a table or JSON, across runs', async () => {
    const stateDir = join(workDir, 'state');
    const empty = await cli(['events', '--state-dir', stateDir]);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toContain('No events');

    const clock = new VirtualClock({ start: new Date('2026-11-27T11:00:00Z') });
    const firstRun = new LocalEventBridge({ clock, stateDir });
    await firstRun.putEvents([
      {
        Source: 'aws.emr',
        DetailType: 'EMR Step Status Change',
        Detail: JSON.stringify(stepCompleted.detail),
        Time: new Date(stepCompleted.time),
      },
    ]);
    clock.advance(60_000);
    const secondRun = new LocalEventBridge({ clock, stateDir });
    await new LocalBusPublisher(secondRun).publish([
      {
        detailType: 'Import Succeeded',
        detail: {
          table: 'show_plays_hourly',
          hour: '2026-11-27T10',
          rowsInserted: 10,
          rowsUpdated: 2,
          rowsDeleted: 0,
          durationMs: 1234,
          queryExecutionId: 'q-1',
          executionArn: 'local:import-1',
          correlationId: 'local:orchestrate-1',
        },
      },
    ]);

    const text = await cli(['events', '--state-dir', stateDir]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SOURCE\s+DETAIL-TYPE\s+DETAIL$/);
    expect(lines[1]).toMatch(
      /^2026-11-27T11:07:42Z\s+aws\.emr\s+EMR Step Status Change\s+name=hourly-aggregations state=COMPLETED/,
    );
    expect(lines[2]).toMatch(
      /^2026-11-27T11:01:00Z\s+aurora-imports\s+Import Succeeded\s+table=show_plays_hourly hour=2026-11-27T10 rowsInserted=10 rowsUpdated=2 rowsDeleted=0 durationMs=1234$/,
    );

    const json = await cli(['events', '--json', '--state-dir', stateDir, '--source', 'aurora-imports']);
    const events = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'aurora-imports', 'detail-type': 'Import Succeeded', version: '0' });
  });
});
