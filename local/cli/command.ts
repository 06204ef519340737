/**
 * One CLI command: a module under `local/cli/commands/` whose default export is a `Command`.
 * Commands write their own output to `io.stdout` (only the command's result goes there: scripts parse it) and
 * progress or diagnostics to `io.stderr`. They return the exit code instead of calling `process.exit`, so tests can
 * run them in-process.
 */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  /** One line for the help table. */
  readonly summary: string;
  /** Usage text shown by `aurora-imports <command> --help`. */
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** A user's mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
