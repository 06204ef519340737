import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import command from '../../local/cli/commands/start-execution.ts';

async function run(argv: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += String(d);
  });
  stderr.on('data', (d) => {
    err += String(d);
  });
  const code = await command.run(argv, { stdout, stderr, env: {}, cwd });
  return { code, out, err };
}

describe('aurora-imports start-execution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'start-execution-'));
  writeFileSync(
    join(dir, 'ok.json'),
    JSON.stringify({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: {
          Type: 'Pass',
          Output: `{% {'greeting': '${['$', '{Hello}'].join('')} ' & $states.input.name} %}`,
          End: true,
        },
      },
    }),
  );
  writeFileSync(
    join(dir, 'task.json'),
    JSON.stringify({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::athena:startQueryExecution.sync', End: true } },
    }),
  );
  writeFileSync(join(dir, 'input.json'), '{"name":"Ada"}');

  it('prints {"status","output"} with output as JSON text and exits 0 on SUCCEEDED', async () => {
    const result = await run(
      ['--definition', 'ok.json', '--input', '@input.json', '--substitutions', '{"Hello":"Hi"}'],
      dir,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ status: 'SUCCEEDED', output: '{"greeting":"Hi Ada"}' });
    expect(result.err).toContain('A');
  });

  it('prints {"status","error","cause"} and exits 1 when a Task has no handler', async () => {
    const result = await run(['--definition', 'task.json'], dir);
    expect(result.code).toBe(1);
    const printed = JSON.parse(result.out);
    expect(printed.status).toBe('FAILED');
    expect(printed.error).toBe('States.TaskFailed');
    expect(printed.cause).toContain('arn:aws:states:::athena:startQueryExecution.sync');
  });

  it('rejects bad input JSON with a usage error naming the option', async () => {
    await expect(run(['--definition', 'ok.json', '--input', '{nope'], dir)).rejects.toThrow(
      /--input is not valid JSON/,
    );
  });
});
