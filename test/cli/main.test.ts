import { describe, expect, it } from 'vitest';
import { main } from '../../local/cli/main.ts';
import { captureIo } from '../support/capture-io.ts';

async function cli(args: string[]) {
  const io = captureIo('/tmp');
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('aurora-imports (the dispatcher)', () => {
  it('lists every command with its summary', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const name of [
      'demo',
      'run',
      'load',
      'status',
      'events',
      'backfill',
      'dlq',
      'start-execution',
      'test-event-pattern',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it('treats an unknown command or option as a usage error (exit 2), naming it', async () => {
    expect(await cli(['deploy'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'deploy'"),
    });
    expect(await cli(['run', '--bogus'])).toMatchObject({
      code: 2,
      stderr: "aurora-imports run: Unknown option '--bogus' (see aurora-imports run --help)\n",
    });
    expect(await cli(['run'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--hour is required') });
  });

  it('prints a command usage with --help', async () => {
    const usage = await cli(['backfill', '--help']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain('Usage: aurora-imports backfill');
  });
});
