import { Readable } from 'node:stream';

/** The longest header line accepted: a catalog table has at most a few hundred 63-byte names. */
const MAX_HEADER_BYTES = 64 * 1024;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** A CSV stream split into its header and the whole stream again (header included) for COPY. */
export interface HeaderedCsv {
  /** The header's field names, unquoted. Empty when the object is empty. */
  readonly columns: readonly string[];
  /** The bytes for COPY: the header line (BOM removed), then the rest of the object, streamed. */
  readonly body: Readable;
  /** Bytes read from the source so far (the whole object once `body` has ended). */
  bytesRead(): number;
}

/** Splits one CSV line (the header) into fields: `"a","b"` or `a,b`; a doubled quote is a quote. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (inQuotes) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') inQuotes = false;
      else field += char;
    } else if (char === '"') inQuotes = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/**
 * Reads the source until the end of its first line and parses that line; the rest is not read until `body` is.
 * Throws a plain Error when the first line exceeds 64 KiB (not a CSV header).
 */
export async function readCsvHeader(source: Readable): Promise<HeaderedCsv> {
  const iterator: AsyncIterator<unknown> = source[Symbol.asyncIterator]();
  let bytes = 0;
  let buffered = Buffer.alloc(0);
  let newline = -1;
  let ended = false;
  while (newline < 0) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value as Uint8Array);
    bytes += chunk.length;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    newline = buffered.indexOf(0x0a);
    if (newline < 0 && buffered.length > MAX_HEADER_BYTES) {
      source.destroy();
      throw new Error(`the first line is longer than ${MAX_HEADER_BYTES} bytes: not a CSV header`);
    }
  }
  const skip = UTF8_BOM.every((byte, i) => buffered[i] === byte) ? UTF8_BOM.length : 0;
  const lineEnd = newline < 0 ? buffered.length : newline;
  const headerText = buffered.subarray(skip, lineEnd).toString('utf8').replace(/\r$/, '');
  const columns = headerText === '' && newline < 0 ? [] : parseCsvLine(headerText);
  const head = buffered.subarray(skip);

  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (ended) return;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Uint8Array);
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      // Stopped early (COPY failed): release the source (an S3 socket) now.
      if (!source.destroyed) source.destroy();
    }
  }

  return { columns, body: Readable.from(rest(), { objectMode: false }), bytesRead: () => bytes };
}
