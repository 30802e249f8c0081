/**
 * WAL checkpoints off the request path. In WAL mode every commit appends pages to the -wal file;
 * a checkpoint copies them back into the database file and syncs it. Left to SQLite's automatic
 * checkpoint, that copy runs inside whichever COMMIT crosses the threshold — on the engine's one
 * thread, stalling every request queued behind it. Here a worker thread with its own connection
 * runs a PASSIVE checkpoint every 100 ms; passive checkpoints never block the writer.
 *
 * Copying is not enough under steady load, though. SQLite rewinds the WAL only when a write
 * begins while every frame in it has been copied, and with commits arriving every fraction of a
 * millisecond that moment never comes: the WAL grew to the main connection's automatic threshold
 * (80 MB) several times a second, and the engine's thread then synced and copied it itself —
 * 20–40 ms stalls, most of the engine-feedback bench's tail at 1,000 cases/s. So the writer cooperates:
 * when the worker reports a long WAL, the engine holds its next write (asynchronously: the event
 * loop keeps serving everything else) while the worker copies the short tail written since its
 * last checkpoint, and the next commit then starts the WAL from the beginning. The hold lasts
 * about one small checkpoint (measured 9–11 ms on this machine's disk, against 20–40 ms of a
 * blocked event loop before); an unanswered request releases it after `MAX_HOLD_MS`.
 *
 * The main connection keeps a (higher) automatic checkpoint as a safety net in case the worker dies.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the worker checkpoints. */
  intervalMs?: number;
  /** WAL length (frames) past which the writer is held once so that the WAL starts over. */
  rewindFrames?: number;
  /**
   * Runs `fn` while no write transaction is open or starts (the engine's serial write queue), so
   * that a checkpoint inside it copies every frame.
   */
  holdWrites?: (fn: () => Promise<void>) => Promise<void>;
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/** 64 MB of 4 KB pages: a hold every few hundred ms under the bench's load, a small WAL to search. */
export const DEFAULT_REWIND_FRAMES = 16_384;
/** Longest a hold waits for the worker: a stuck worker must not hold the engine's writes. */
const MAX_HOLD_MS = 200;

interface CheckpointResult {
  /** Frames in the WAL; -1 when the checkpoint could not run (another checkpoint was running). */
  log: number;
}

// Plain CommonJS evaluated in the worker: no loader hooks (tsx) are needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    return { log: db.pragma('wal_checkpoint(PASSIVE)')[0].log };
  } catch {
    // Busy (another checkpointer) or the file is going away: the next tick tries again.
    return { log: -1 };
  }
};
const timer = setInterval(() => parentPort.postMessage({ type: 'tick', result: checkpoint() }), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.type === 'now') {
    parentPort.postMessage({ type: 'done', id: m.id, result: checkpoint() });
    return;
  }
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.postMessage({ type: 'stopped' });
});
`;

type FromWorker =
  | { type: 'tick'; result: CheckpointResult }
  | { type: 'done'; id: number; result: CheckpointResult }
  | { type: 'stopped' };

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const { intervalMs = 100, rewindFrames = DEFAULT_REWIND_FRAMES, holdWrites } = options;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  // Never keeps the process alive, and a failing worker only loses the optimisation.
  worker.unref();
  worker.on('error', () => {});
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  let stopped: Promise<void> | undefined;
  let rewinding = false;

  /** A checkpoint now; resolves when it is done, or after MAX_HOLD_MS. */
  const checkpointNow = () =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const id = nextId++;
      const timeout = setTimeout(() => {
        waiting.delete(id);
        resolve();
      }, MAX_HOLD_MS);
      waiting.set(id, () => {
        clearTimeout(timeout);
        resolve();
      });
      worker.postMessage({ type: 'now', id });
    });

  // First a checkpoint with writes still flowing, so that the tail copied during the hold is only
  // what arrived meanwhile; then the hold.
  const rewind = () => {
    rewinding = true;
    void checkpointNow()
      .then(() => holdWrites!(checkpointNow))
      .finally(() => {
        rewinding = false;
      });
  };

  worker.on('message', (m: FromWorker) => {
    if (m.type === 'tick') {
      if (holdWrites && !rewinding && !stopped && m.result.log >= rewindFrames) rewind();
    } else if (m.type === 'done') {
      waiting.get(m.id)?.();
      waiting.delete(m.id);
    }
  });
  const releaseAll = () => {
    for (const release of waiting.values()) release();
    waiting.clear();
  };
  worker.once('exit', releaseAll);
  return {
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          releaseAll();
          void worker.terminate().then(() => resolve(), () => resolve());
        };
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'stopped') done();
        });
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'stop' });
        // A worker that does not answer is terminated anyway.
        setTimeout(done, 2_000).unref();
      });
      return stopped;
    },
  };
}
