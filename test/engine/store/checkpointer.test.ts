/**
 * WAL checkpoints run on a worker thread (engine/store/sqliteCheckpointer.ts): committed pages
 * reach the database file while the engine keeps running, without the engine's thread copying
 * them, closing the database stops the worker, and under a steady stream of writes the WAL starts
 * over instead of growing to the main connection's automatic checkpoint.
 */
import { closeSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../../engine/store/db.ts';
import { waitFor } from '../../helpers/processes.ts';

describe('SQLite WAL checkpointer', () => {
  it('R35: committed pages are copied into the database file in the background', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'loopdesk-ckpt-')), 'db.sqlite');
    const db = openSqlite(file);
    try {
      await db.run('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const before = statSync(file).size;
      // ~4 MB in 200 commits: far below the 20,000-page automatic checkpoint of the main connection.
      const body = 'x'.repeat(20_000);
      for (let i = 0; i < 200; i++) await db.transaction((tx) => tx.run('INSERT INTO blobs (body) VALUES (?)', [body]));
      await waitFor('the database file to receive the committed pages', async () => statSync(file).size > before + 3_000_000, 20_000);
      expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: 200 });
    } finally {
      await db.close();
    }
    // After close everything is in the file: a fresh connection sees every row.
    const again = openSqlite(file);
    try {
      expect(await again.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: 200 });
    } finally {
      await again.close();
    }
  });

  it('R35: under steady writes the writer is held briefly so that the WAL starts over', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'loopdesk-ckpt-')), 'db.sqlite');
    // 256 frames (1 MB): every tick past that holds the writer once. Without the hold the WAL
    // would only start over at the main connection's automatic checkpoint (40,000 frames, 160 MB).
    const db = openSqlite(file, { intervalMs: 20, rewindFrames: 256 });
    try {
      await db.run('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const body = 'x'.repeat(20_000);
      // 60 MB: well below the main connection's automatic checkpoint (160 MB), so only a rewind
      // brought about by the worker can keep the WAL shorter than everything written.
      const commits = 3_000;
      // Commits back to back, as requests do: each turn of the event loop lets the worker's
      // reports in, and a held write waits (asynchronously) instead of failing.
      // Each start over writes a new WAL header with new salts (bytes 16–23).
      const salts = new Set<string>();
      const header = Buffer.alloc(8);
      for (let i = 0; i < commits; i++) {
        await db.transaction((tx) => tx.run('INSERT INTO blobs (body) VALUES (?)', [body]));
        await new Promise((resolve) => setImmediate(resolve));
        if (i % 20 === 0) {
          const fd = openSync(`${file}-wal`, 'r');
          readSync(fd, header, 0, 8, 16);
          closeSync(fd);
          salts.add(header.toString('hex'));
        }
      }
      const written = commits * body.length;
      expect(salts.size, 'WAL headers seen').toBeGreaterThan(1);
      // The WAL file is never truncated, so its size is the longest the WAL ever was: shorter than
      // everything written (how much shorter depends on how soon the worker gets its turn).
      expect(statSync(`${file}-wal`).size).toBeLessThan(written);
      expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: commits });
    } finally {
      await db.close();
    }
  });
});
