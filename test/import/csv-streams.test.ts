import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCsvLine, readCsvHeader } from '../../functions/s3-import-to-aurora/csv-header.ts';
import { csvChunks } from '../../local/aurora/csv-chunks.ts';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** A stream delivering `body` in pieces of `size` bytes (to split headers and quotes anywhere). */
function pieces(body: string, size: number): Readable {
  const bytes = Buffer.from(body);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

describe('readCsvHeader', () => {
  it('reads a header split across chunks and gives back every byte for COPY', async () => {
    const body = '"show_id","hour","note"\n"1","2026-11-27 10:00:00.000",\n"2","2026-11-27 10:00:00.000",""\n';
    const csv = await readCsvHeader(pieces(body, 5));
    expect(csv.columns).toEqual(['show_id', 'hour', 'note']);
    expect(await text(csv.body)).toBe(body);
    expect(csv.bytesRead()).toBe(Buffer.byteLength(body));
  });

  it('drops a UTF-8 byte order mark and a CR before the newline from the names', async () => {
    const csv = await readCsvHeader(Readable.from([Buffer.from('\uFEFF"a","b"\r\n"1","2"\r\n')]));
    expect(csv.columns).toEqual(['a', 'b']);
    expect(await text(csv.body)).toBe('"a","b"\r\n"1","2"\r\n');
  });

  it('reports an empty object as no columns, and a header-only object as its columns', async () => {
    expect((await readCsvHeader(Readable.from([]))).columns).toEqual([]);
    expect((await readCsvHeader(Readable.from([Buffer.from('"a"')]))).columns).toEqual(['a']);
  });

  it('refuses a first line longer than 64 KiB', async () => {
    await expect(readCsvHeader(pieces('x'.repeat(70_000), 8192))).rejects.toThrow(/longer than 65536 bytes/);
  });

  it('parses quoted and unquoted header fields', () => {
    expect(parseCsvLine('"a","b ""c""",d,')).toEqual(['a', 'b "c"', 'd', '']);
  });
});

describe('csvChunks', () => {
  it('cuts only at newlines outside quotes and counts physical lines', async () => {
    const body = '"h"\n"a\nb"\n"c"\n"d,""\ne"""\n"f"';
    for (const size of [1, 3, 7]) {
      const chunks = [];
      for await (const chunk of csvChunks(pieces(body, size), 4)) chunks.push(chunk);
      const texts = chunks.map((chunk) => Buffer.concat(chunk.parts.map((part) => Buffer.from(part))).toString());
      expect(texts.join('')).toBe(body);
      for (const chunkText of texts.slice(0, -1)) {
        expect(chunkText.endsWith('\n')).toBe(true);
        expect((chunkText.match(/"/g) ?? []).length % 2).toBe(0);
      }
      expect(chunks.slice(0, -1).reduce((sum, chunk) => sum + chunk.lines, 0)).toBe(
        (texts.slice(0, -1).join('').match(/\n/g) ?? []).length,
      );
    }
  });
});
