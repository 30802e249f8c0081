/**
 * The default FileStore: one file per upload under the files directory, at `ab/cd/<uuid>` from a
 * random UUID (never the client's name, so no path tricks and no collisions). Bytes go to
 * `tmp/<uuid>.part`, are fsynced, then renamed into place: a crash or a rejected upload leaves at
 * most a stray `.part`, never a half file under a key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound } from '../core/errors.ts';
import type { FileStore, StoredFile } from './FileStore.ts';

const KEY = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class DiskFileStore implements FileStore {
  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    // Keys come from our own table, but a tampered row must still not reach outside the root.
    if (!KEY.test(key)) throw notFound('file', key);
    return join(this.root, key);
  }

  async put(content: AsyncIterable<Uint8Array>): Promise<StoredFile> {
    const id = randomUUID();
    const key = `${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${id}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      try {
        for await (const chunk of content) {
          hash.update(chunk);
          size += chunk.byteLength;
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const target = this.pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    try {
      const fh = await open(this.pathOf(key), 'r');
      return fh.createReadStream();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('file', key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
