import type { Readable } from 'node:stream';

/** Where an object lives: an S3 bucket and key, or the same pair mapped onto a local folder. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ObjectBody {
  /** The object's bytes, streamed: never buffered whole. */
  readonly body: Readable;
  /** Size in bytes when the store knows it. */
  readonly size?: number;
}

/**
 * The object store port: S3 in AWS (`functions/shared/aws/s3-object-store.ts`), a folder locally
 * (`local/s3/folder-object-store.ts`). Nothing above this interface knows which it has.
 */
export interface ObjectStore {
  /** Opens an object for streaming; throws `ObjectNotFoundError` when it does not exist. */
  getObject(location: ObjectLocation): Promise<ObjectBody>;
  /** Writes an object whole (small objects) or from a stream. */
  putObject(location: ObjectLocation, body: string | Uint8Array | Readable): Promise<void>;
  /** True when the object exists. */
  exists(location: ObjectLocation): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
}

/** `s3://bucket/key` ↔ location. */
export function parseS3Uri(uri: string): ObjectLocation {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`'${uri}' is not an s3://bucket/key URI`);
  return { bucket: match[1]!, key: match[2]! };
}

export function formatS3Uri(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}
