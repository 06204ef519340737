import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidEventParameterError, InvalidEventPatternError } from '../../eventbridge/errors.ts';
import { testEventPattern } from '../../eventbridge/event-pattern.ts';
import { type Command, type CommandIo, UsageError } from '../command.ts';

const USAGE = `Usage: aurora-imports test-event-pattern --event-pattern JSON|@FILE --event JSON|@FILE

Tests an EventBridge event pattern against an event on the local matcher, like
\`aws events test-event-pattern\`: prints {"Result": true|false}. An invalid pattern or event exits 1
and prints AWS's reason on stderr.`;

/** Reads an option value: inline JSON text, or `@path` (relative to the working directory). */
function readJsonArgument(value: string, option: string, io: CommandIo): string {
  if (!value.startsWith('@')) return value;
  const path = resolve(io.cwd, value.slice(1));
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

export default {
  name: 'test-event-pattern',
  summary: 'test an EventBridge event pattern against an event (like aws events test-event-pattern)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'event-pattern': { type: 'string' }, event: { type: 'string' } },
      strict: true,
    });
    const patternArg = values['event-pattern'];
    const eventArg = values.event;
    if (patternArg === undefined) throw new UsageError('--event-pattern is required');
    if (eventArg === undefined) throw new UsageError('--event is required');
    const pattern = readJsonArgument(patternArg, 'event-pattern', io);
    const event = readJsonArgument(eventArg, 'event', io);
    try {
      const result = testEventPattern(pattern, event);
      io.stdout.write(`${JSON.stringify({ Result: result }, null, 4)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof InvalidEventPatternError || error instanceof InvalidEventParameterError) {
        const detail = error instanceof InvalidEventParameterError ? ` (${error.detail})` : '';
        io.stderr.write(
          `An error occurred (${error.code}) when calling the TestEventPattern operation: ${error.message}${detail}\n`,
        );
        return 1;
      }
      throw error;
    }
  },
} satisfies Command;
