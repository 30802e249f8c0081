/**
 * WAL checkpoints off the request path. In WAL mode every commit appends pages to the -wal file;
 * a checkpoint copies them back into the database file and syncs it. Left to SQLite's automatic
 * checkpoint, that copy runs inside whichever COMMIT crosses the threshold — on the engine's one
 * thread, stalling every request queued behind it (the engine-feedback bench saw p99 latency
 * triple). Here a worker thread with its own connection runs a PASSIVE checkpoint every 100 ms
 * (short WALs measured best on this machine's disk). Passive checkpoints never block the writer,
 * so the main thread only appends to a short WAL, which SQLite rewinds once all of it is copied.
 *
 * The main connection keeps its automatic checkpoint as a safety net in case the worker dies.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  stop(): Promise<void>;
}

// Plain CommonJS evaluated in the worker: no loader hooks (tsx) are needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (another checkpointer) or the file is going away: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.postMessage('stopped');
});
`;

export function startCheckpointer(file: string, intervalMs = 100): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  // Never keeps the process alive, and a failing worker only loses the optimisation.
  worker.unref();
  worker.on('error', () => {});
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          void worker.terminate().then(() => resolve(), () => resolve());
        };
        worker.once('message', done);
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        // A worker that does not answer is terminated anyway.
        setTimeout(done, 2_000).unref();
      });
      return stopped;
    },
  };
}
