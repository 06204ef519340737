import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DefinitionValidationError, StepFunctionsEngine } from '../../stepfunctions/index.ts';
import { type Command, type CommandIo, UsageError } from '../command.ts';

const USAGE = `Usage: aurora-imports start-execution --definition FILE [--input JSON|@FILE] [--substitutions JSON|@FILE]

Runs an Amazon States Language definition on the local Step Functions engine and prints the result like
'aws stepfunctions start-sync-execution': {"status":"SUCCEEDED","output":"<JSON text>"} or
{"status":"FAILED","error":"...","cause":"..."}. Exit code 0 only on SUCCEEDED.

Options:
  --definition FILE        the ASL definition (JSON)
  --input JSON|@FILE       execution input (default {})
  --substitutions JSON|@FILE
                           \${Name} definition substitutions, as CloudFormation DefinitionSubstitutions

Task states run only handlers registered with the engine; from the command line none are, so a Task fails with
States.TaskFailed naming its resource (the local engine never calls AWS).`;

async function readJsonArgument(value: string, option: string, io: CommandIo): Promise<unknown> {
  let text = value;
  let where = `--${option}`;
  if (value.startsWith('@')) {
    const file = resolve(io.cwd, value.slice(1));
    where = file;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--${option}: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

export default {
  name: 'start-execution',
  summary: 'Run an ASL definition on the local Step Functions engine',
  usage: USAGE,
  async run(argv, io) {
    let values: { definition?: string; input?: string; substitutions?: string };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: { definition: { type: 'string' }, input: { type: 'string' }, substitutions: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!values.definition) throw new UsageError('--definition FILE is required');
    const definitionFile = resolve(io.cwd, values.definition);
    let definition: string;
    try {
      definition = await readFile(definitionFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--definition: cannot read ${definitionFile}: ${(error as Error).message}`);
    }
    const input = values.input === undefined ? {} : await readJsonArgument(values.input, 'input', io);
    const substitutions =
      values.substitutions === undefined
        ? undefined
        : await readJsonArgument(values.substitutions, 'substitutions', io);
    if (
      substitutions !== undefined &&
      (substitutions === null || typeof substitutions !== 'object' || Array.isArray(substitutions))
    ) {
      throw new UsageError('--substitutions must be a JSON object of names to values');
    }

    const engine = new StepFunctionsEngine();
    let stateMachineArn: string;
    try {
      stateMachineArn = engine.createStateMachine({
        name: 'start-execution',
        definition,
        substitutions: substitutions as Record<string, string>,
      });
    } catch (error) {
      if (error instanceof DefinitionValidationError || error instanceof SyntaxError) {
        io.stderr.write(`aurora-imports start-execution: ${definitionFile}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    engine.onEvent((event) => {
      if (event.type.endsWith('StateEntered')) io.stderr.write(`→ ${String(event.details?.name)}\n`);
    });
    const result = await engine.startExecution({ stateMachineArn, input }).done;
    const printed: Record<string, unknown> = { status: result.status };
    if (result.status === 'SUCCEEDED') printed.output = result.output;
    else {
      if (result.error !== undefined) printed.error = result.error;
      if (result.cause !== undefined) printed.cause = result.cause;
    }
    io.stdout.write(`${JSON.stringify(printed)}\n`);
    return result.status === 'SUCCEEDED' ? 0 : 1;
  },
} satisfies Command;
