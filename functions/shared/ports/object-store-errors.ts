import type { ObjectLocation } from './object-store.ts';

/** The object does not exist (S3 `NoSuchKey`, or no such file locally). */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  readonly location: ObjectLocation;

  constructor(location: ObjectLocation) {
    super(`object not found: s3://${location.bucket}/${location.key}`);
    this.location = location;
  }
}
