import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/shared/aws/s3-object-store.ts';
import { ObjectNotFoundError } from '../../functions/shared/ports/object-store-errors.ts';

const s3 = mockClient(S3Client);
const location = { bucket: 'athena-results', key: 'results/q-1.csv' };

describe('S3ObjectStore', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('streams GetObject bodies and reports the size', async () => {
    s3.on(GetObjectCommand, { Bucket: 'athena-results', Key: 'results/q-1.csv' }).resolves({
      // In Node the SDK's Body is an IncomingMessage, a Readable: a plain Readable stands in for it.
      Body: Readable.from([Buffer.from('"a"\n'), Buffer.from('"1"\n')]) as never,
      ContentLength: 8,
    });
    const object = await new S3ObjectStore(new S3Client({})).getObject(location);
    expect(object.size).toBe(8);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString()).toBe('"a"\n"1"\n');
  });

  it('maps NoSuchKey to ObjectNotFoundError, and HeadObject NotFound to false', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const store = new S3ObjectStore(new S3Client({}));
    await expect(store.getObject(location)).rejects.toThrow(ObjectNotFoundError);
    await expect(store.getObject(location)).rejects.toThrow('object not found: s3://athena-results/results/q-1.csv');
    expect(await store.exists(location)).toBe(false);
  });

  it('passes other errors through', async () => {
    s3.on(GetObjectCommand).rejects(new Error('AccessDenied'));
    await expect(new S3ObjectStore(new S3Client({})).getObject(location)).rejects.toThrow('AccessDenied');
  });

  it('puts objects and checks existence', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: 3 });
    const store = new S3ObjectStore(new S3Client({}));
    await store.putObject(location, 'abc');
    await store.putObject(location, Readable.from([Buffer.from('de'), Buffer.from('f')]));
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([
      { Bucket: 'athena-results', Key: 'results/q-1.csv', Body: 'abc' },
      { Bucket: 'athena-results', Key: 'results/q-1.csv', Body: Buffer.from('def') },
    ]);
    expect(await store.exists(location)).toBe(true);
  });

  it('lists keys across pages, sorted', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'lake', Prefix: 'p/', ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'p/b' }, { Key: 'p/a' }],
      IsTruncated: true,
      NextContinuationToken: 't1',
    });
    s3.on(ListObjectsV2Command, { Bucket: 'lake', Prefix: 'p/', ContinuationToken: 't1' }).resolves({
      Contents: [{ Key: 'p/c' }],
      IsTruncated: false,
    });
    expect(await new S3ObjectStore(new S3Client({})).listKeys('lake', 'p/')).toEqual(['p/a', 'p/b', 'p/c']);
  });
});
