import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetterRecord } from './dead-letter.ts';

/** One event as the archive keeps it. */
export interface ArchivedEvent {
  readonly eventBusName: string;
  /** When the bus received it (ISO-8601). */
  readonly ingestionTime: string;
  readonly event: Record<string, unknown>;
}

/** `<stateDir>/bus/`: where the local bus persists its archive and dead letters, so later commands see them. */
export function busStateDir(stateDir: string): string {
  return join(stateDir, 'bus');
}

const ARCHIVE_FILE = 'archive.jsonl';
const DEAD_LETTER_FILE = 'dead-letters.jsonl';

/** Appends records as JSON lines (synchronously: a crash right after PutEvents still leaves the event on disk). */
export function appendJsonLine(stateDir: string, file: 'archive' | 'dead-letters', record: unknown): void {
  const dir = busStateDir(stateDir);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, file === 'archive' ? ARCHIVE_FILE : DEAD_LETTER_FILE), `${JSON.stringify(record)}\n`);
}

/** Every event archived under the state dir, oldest first (empty if none yet). */
export function readArchive(stateDir: string): ArchivedEvent[] {
  return readJsonLines<ArchivedEvent>(join(busStateDir(stateDir), ARCHIVE_FILE));
}

/** Every dead letter recorded under the state dir, oldest first (empty if none yet). */
export function readDeadLetters(stateDir: string): DeadLetterRecord[] {
  return readJsonLines<DeadLetterRecord>(join(busStateDir(stateDir), DEAD_LETTER_FILE));
}

function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const records: T[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line) as T);
      } catch (error) {
        throw new Error(`${path}: line ${index + 1} is not JSON (${(error as Error).message})`);
      }
    });
  return records;
}
