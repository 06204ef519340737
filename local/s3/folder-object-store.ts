import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectBody, ObjectLocation, ObjectStore } from '../../functions/shared/ports/object-store.ts';
import { ObjectNotFoundError } from '../../functions/shared/ports/object-store-errors.ts';

/**
 * S3 on a folder: `s3://bucket/key` is the file `<root>/bucket/key`. Writes go to a temporary file renamed into
 * place, so a reader never sees half an object (S3 is atomic per PUT too).
 */
export class FolderObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file that holds an object; refuses keys that would escape the root (`..`). */
  pathOf(location: ObjectLocation): string {
    const path = resolve(this.root, location.bucket, location.key);
    if (!path.startsWith(this.root + sep))
      throw new Error(`object key escapes the store: s3://${location.bucket}/${location.key}`);
    return path;
  }

  async getObject(location: ObjectLocation): Promise<ObjectBody> {
    const path = this.pathOf(location);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ObjectNotFoundError(location);
    return { body: createReadStream(path), size: info.size };
  }

  async putObject(location: ObjectLocation, body: string | Uint8Array | Readable): Promise<void> {
    const path = this.pathOf(location);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
    if (body instanceof Readable) await pipeline(body, createWriteStream(temporary));
    else await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async exists(location: ObjectLocation): Promise<boolean> {
    const info = await stat(this.pathOf(location)).catch(() => undefined);
    return info?.isFile() ?? false;
  }

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const bucketRoot = join(this.root, bucket);
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.endsWith('.partial')) {
          const key = relative(bucketRoot, path).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(bucketRoot);
    return keys.sort();
  }
}
