/**
 * Where attachment bytes live. The database keeps only the opaque `key` a store hands back, so a
 * deployment can swap the disk for an object store without touching the use cases or the table.
 */
import type { Readable } from 'node:stream';

export interface StoredFile {
  /** Opaque, store-chosen; never derived from anything the client sent. */
  key: string;
  size: number;
  /** Hex SHA-256 of the stored bytes, computed while writing. */
  sha256: string;
}

export interface FileStore {
  /**
   * Stores the bytes; visible under the key only once complete. If `content` throws (too large,
   * wrong type, client gone) nothing remains.
   */
  put(content: AsyncIterable<Uint8Array>): Promise<StoredFile>;
  /** The bytes under `key`; rejects with LD_NOT_FOUND (404) when there are none. */
  get(key: string): Promise<Readable>;
  /** Removes the bytes; a missing key is not an error. */
  delete(key: string): Promise<void>;
}
