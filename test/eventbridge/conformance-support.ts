import { readFileSync } from 'node:fs';

/** A case the local bus is known not to reproduce, with the reason. */
export interface KnownDifference {
  readonly file: 'patterns.json' | 'input-transformers.json';
  readonly name: string;
  readonly reason: string;
}

const CORPUS_DIR = new URL('../conformance/eventbridge/', import.meta.url);

/** Reads one corpus file of `test/conformance/eventbridge/`. */
export function readCorpus<T>(file: string): T[] {
  return JSON.parse(readFileSync(new URL(file, CORPUS_DIR), 'utf8')) as T[];
}

/** The names listed as known differences for one corpus file. */
export function knownDifferences(file: KnownDifference['file']): Map<string, string> {
  const list = readCorpus<KnownDifference>('known-differences.json');
  return new Map(list.filter((d) => d.file === file).map((d) => [d.name, d.reason]));
}
