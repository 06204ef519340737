import type { Readable } from 'node:stream';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/** A run of whole CSV records, and how many lines it holds (PostgreSQL's COPY counts lines, not records). */
export interface CsvChunk {
  readonly parts: readonly Uint8Array[];
  readonly lines: number;
}

/**
 * Cuts a CSV byte stream into chunks of about `targetBytes` that end on a record boundary: a newline outside quotes
 * (a quote inside a value is doubled, so quote parity says whether a newline is inside a value). Memory stays at
 * about one chunk, whatever the file's size.
 */
export async function* csvChunks(source: Readable, targetBytes: number): AsyncGenerator<CsvChunk> {
  let parts: Uint8Array[] = [];
  let pendingBytes = 0;
  let inQuotes = false;
  let lines = 0;
  for await (const value of source) {
    const chunk: Uint8Array = typeof value === 'string' ? Buffer.from(value) : (value as Uint8Array);
    let lastBoundary = -1;
    let linesToBoundary = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === NEWLINE) {
        lines++;
        if (!inQuotes) {
          lastBoundary = i;
          linesToBoundary = lines;
        }
      }
    }
    if (pendingBytes + chunk.length >= targetBytes && lastBoundary >= 0) {
      parts.push(chunk.subarray(0, lastBoundary + 1));
      yield { parts, lines: linesToBoundary };
      lines -= linesToBoundary;
      const rest = chunk.subarray(lastBoundary + 1);
      parts = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    } else {
      parts.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  // The last record may lack its newline; COPY accepts that.
  if (pendingBytes > 0) yield { parts, lines: lines + 1 };
}
