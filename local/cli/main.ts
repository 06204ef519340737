import { type Command, type CommandIo, UsageError } from './command.ts';

/** Every command, each in `commands/<name>.ts`, loaded lazily so `load` does not pay for DuckDB or the engine. */
const COMMAND_NAMES = [
  'demo',
  'run',
  'load',
  'status',
  'events',
  'backfill',
  'dlq',
  'start-execution',
  'test-event-pattern',
] as const;

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) return undefined;
  try {
    const module = (await import(`./commands/${name}.ts`)) as { default: Command };
    return module.default;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String(error).includes(`commands/${name}`)
    ) {
      return undefined;
    }
    throw error;
  }
}

async function printHelp(io: CommandIo): Promise<void> {
  const lines = ['Usage: aurora-imports <command> [options]', '', 'Commands:'];
  for (const name of COMMAND_NAMES) {
    const command = await loadCommand(name);
    if (command) lines.push(`  ${name.padEnd(20)} ${command.summary}`);
  }
  lines.push('', 'Run aurora-imports <command> --help for its options.');
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp(io);
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.stderr.write(`aurora-imports: unknown command '${name}'. Run aurora-imports --help.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // node:util parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes: a usage error too.
    const parseArgsError = String((error as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_');
    if (error instanceof UsageError || parseArgsError) {
      io.stderr.write(`aurora-imports ${name}: ${(error as Error).message} (see aurora-imports ${name} --help)\n`);
      return 2;
    }
    const err = error as Error;
    io.stderr.write(`aurora-imports ${name}: ${err.name}: ${err.message}\n`);
    return 1;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint || process.argv[1]?.endsWith('local/cli/main.ts')) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
