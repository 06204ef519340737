import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../local/cli/command.ts';

/** A CommandIo that captures what a command writes. */
export function captureIo(cwd: string): CommandIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { stdout, stderr, env: {}, cwd, out: () => out, err: () => err };
}
