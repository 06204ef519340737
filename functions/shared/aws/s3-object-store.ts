import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ObjectBody, ObjectLocation, ObjectStore } from '../ports/object-store.ts';
import { ObjectNotFoundError } from '../ports/object-store-errors.ts';

function isNotFound(error: unknown): boolean {
  return (
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404))
  );
}

/**
 * The object store port on Amazon S3. `getObject` streams the body (never buffered), which is what lets a
 * multi-gigabyte Athena result flow into COPY with flat memory.
 */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;

  constructor(client: S3Client = new S3Client({})) {
    this.#client = client;
  }

  async getObject(location: ObjectLocation): Promise<ObjectBody> {
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      if (!(response.Body instanceof Readable))
        throw new Error(`S3 returned no stream for s3://${location.bucket}/${location.key}`);
      return {
        body: response.Body,
        ...(response.ContentLength === undefined ? {} : { size: response.ContentLength }),
      };
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(location);
      throw error;
    }
  }

  async putObject(location: ObjectLocation, body: string | Uint8Array | Readable): Promise<void> {
    // A stream of unknown length needs multipart upload (lib-storage); the project only puts small objects.
    const payload = body instanceof Readable ? await collect(body) : body;
    await this.#client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: payload }));
  }

  async exists(location: ObjectLocation): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return keys.sort();
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
