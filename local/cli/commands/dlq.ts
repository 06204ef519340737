import { parseArgs } from 'node:util';
import {
  type DeadLetterSummary,
  defaultDeadLetterClients,
  listSqsDeadLetters,
  type RedriveReport,
  redriveSqsDeadLetters,
} from '../../../functions/shared/aws/sqs-dead-letters.ts';
import { loadCatalog } from '../../../functions/shared/catalog/load-catalog.ts';
import { listLocalDeadLetters, redriveLocalDeadLetters } from '../../runtime/local-dead-letters.ts';
import { createLocalRuntime } from '../../runtime/local-runtime.ts';
import { type Command, type CommandIo, UsageError } from '../command.ts';
import { COMMON_OPTION_SPECS, resolveCommonOptions } from '../common-options.ts';

const usage = `Usage: aurora-imports dlq list|redrive [--queue-url URL] [--event-bus BUS] [--max N] [--json] [common options]

Dead letters: events EventBridge could not deliver to a target after its retries.
  list      shows each one: event id, detail-type, source, error, rule, attempts, age
  redrive   puts each original event back on its bus (the bus of its rule, or --event-bus) and removes from the
            DLQ only those PutEvents accepted; the rest stay and are reported. A re-put event reaches every rule
            of its bus and gets a new id (the orchestrator dedupes by its execution names).
  --queue-url URL  the deployed SQS dead-letter queue (AWS credentials and region from the environment);
                   without it, the local bus's dead letters in the state dir
  --event-bus BUS  redrive onto this bus (name or ARN) instead of the rule's bus
  --max N          handle at most N messages (default 100)
  --json           print JSON instead of text
On SQS, list receives with a visibility timeout of 0 so it never hides messages from other consumers (it may
therefore show a sample of a large queue); redrive hides each message for 60 s while it puts and deletes it.
Common options: --state-dir DIR, --database-url URL, --catalog FILE, --data-dir DIR`;

function age(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** One block per dead letter: the fields an operator needs to decide on a redrive. */
export function formatDeadLetters(letters: readonly DeadLetterSummary[], where: string): string {
  if (letters.length === 0) return `No dead letters in ${where}.\n`;
  const lines = [`${letters.length} dead letter(s) in ${where}:`];
  for (const letter of letters) {
    const attempts =
      letter.retryAttempts === undefined
        ? '?'
        : `${letter.retryAttempts + 1} (${letter.retryAttempts} retr${letter.retryAttempts === 1 ? 'y' : 'ies'})`;
    lines.push(
      `- event ${letter.eventId ?? '(none)'}  ${letter.detailType ?? '?'}  from ${letter.source ?? '?'}  (message ${letter.messageId})`,
      `    error:    ${letter.errorCode ?? '?'}: ${letter.errorMessage ?? ''}`,
      `    rule:     ${letter.ruleArn ?? '?'}`,
      `    attempts: ${attempts}${letter.exhaustedRetryCondition ? `, ${letter.exhaustedRetryCondition}` : ', not retryable'}`,
      `    age:      ${age(letter.ageSeconds)}${letter.sentAt ? ` (dead-lettered ${letter.sentAt})` : ''}`,
      ...(letter.bodyError ? [`    body:     ${letter.bodyError}`] : []),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatRedrive(report: RedriveReport, where: string): string {
  const lines = [`Redrive of ${where}: ${report.redriven.length} re-put and removed, ${report.failed.length} failed.`];
  for (const item of report.redriven) {
    lines.push(`  ok      event ${item.eventId ?? '?'} -> ${item.newEventId} on ${item.eventBusName}`);
  }
  for (const item of report.failed) {
    lines.push(
      `  FAILED  event ${item.eventId ?? '?'} (message ${item.messageId}): ${item.errorCode}: ${item.errorMessage}`,
    );
  }
  if (report.failed.length > 0) lines.push('Failed messages stay in the dead-letter queue.');
  return `${lines.join('\n')}\n`;
}

function write(io: CommandIo, json: boolean, value: unknown, text: string): void {
  io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

export default {
  name: 'dlq',
  summary: 'lists or redrives dead letters (deployed SQS DLQ, or the local bus)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        ...COMMON_OPTION_SPECS,
        'queue-url': { type: 'string' },
        'event-bus': { type: 'string' },
        max: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [action, ...extra] = positionals;
    if (action !== 'list' && action !== 'redrive') {
      throw new UsageError(`expected 'list' or 'redrive', got ${action === undefined ? 'nothing' : `'${action}'`}`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
    const max = values.max === undefined ? 100 : Number(values.max);
    if (!Number.isInteger(max) || max < 1)
      throw new UsageError(`--max must be a positive integer, got '${values.max}'`);
    if (action === 'list' && values['event-bus'] !== undefined)
      throw new UsageError('--event-bus applies to redrive only');
    const json = values.json === true;
    const queueUrl = values['queue-url'];
    const eventBus = values['event-bus'];

    if (queueUrl !== undefined) {
      if (!/^https:\/\/\S+$/.test(queueUrl)) {
        throw new UsageError(
          `--queue-url must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>), got '${queueUrl}'`,
        );
      }
      const clients = defaultDeadLetterClients();
      if (action === 'list') {
        const letters = await listSqsDeadLetters({ sqs: clients.sqs, queueUrl, maxMessages: max });
        write(io, json, letters, formatDeadLetters(letters, queueUrl));
        return 0;
      }
      const report = await redriveSqsDeadLetters({
        ...clients,
        queueUrl,
        maxMessages: max,
        ...(eventBus ? { eventBusName: eventBus } : {}),
      });
      write(io, json, report, formatRedrive(report, queueUrl));
      return report.failed.length === 0 ? 0 : 1;
    }

    const common = resolveCommonOptions(values, io);
    const where = `the local bus (${common.stateDir})`;
    if (action === 'list') {
      const letters = listLocalDeadLetters(common.stateDir).slice(0, max);
      write(io, json, letters, formatDeadLetters(letters, where));
      return 0;
    }
    if (listLocalDeadLetters(common.stateDir).length === 0) {
      write(io, json, { redriven: [], failed: [] }, `No dead letters in ${where}.\n`);
      return 0;
    }
    // The rules live in the runtime: build it so re-put events reach their targets (an EMR event starts the orchestrator).
    const runtime = await createLocalRuntime({
      stateDir: common.stateDir,
      databaseUrl: common.databaseUrl,
      catalog: await loadCatalog(common.catalogPath),
      dataDir: common.dataDir,
    });
    try {
      const report = await redriveLocalDeadLetters({
        bus: runtime.bus,
        stateDir: common.stateDir,
        maxMessages: max,
        ...(eventBus ? { eventBusName: eventBus } : {}),
      });
      for (const execution of await runtime.settle()) {
        io.stderr.write(
          `  orchestration ${execution.name}: ${execution.status}${execution.error ? ` (${execution.error})` : ''}\n`,
        );
      }
      write(io, json, report, formatRedrive(report, where));
      return report.failed.length === 0 ? 0 : 1;
    } finally {
      await runtime.close();
    }
  },
} satisfies Command;
