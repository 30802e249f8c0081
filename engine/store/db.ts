/**
 * The lean SQL path the engine runs on. MikroORM owns the schema (entities.ts, schema.ts); the hot
 * path (start, complete, fire timer) issues a handful of prepared statements per step instead,
 * because MikroORM's unit of work alone caps out near 1,600 transactions/s on this machine class
 * (see ../shared/STACK.md). SQL here is a portable subset: `?` placeholders, TEXT JSON, epoch-ms
 * BIGINT times, 0/1 integers for booleans.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { type Checkpointer, type CheckpointerOptions, startCheckpointer } from './sqliteCheckpointer.ts';

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface Tx {
  /** Runs a write; resolves to the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T | undefined>;
}

export interface Db extends Tx {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction; a throw rolls everything back. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** `FOR UPDATE SKIP LOCKED` where the database has row locks; SQLite serialises writers anyway. */
  readonly skipLocked: string;
  close(): Promise<void>;
}

/** A database that is down, locked or full: the request fails with 503 and may be retried. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/**
 * A FIFO lock. better-sqlite3 has one connection and is synchronous, but a transaction body awaits
 * between statements, so two commands could interleave inside one BEGIN…COMMIT without it.
 */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function toSqliteParam(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v === undefined ? null : v;
}

/**
 * How long a write waits for another process's lock. better-sqlite3 waits synchronously, so the
 * whole server stalls for that time; a short wait followed by a 503 + Retry-After keeps every other
 * request moving. Only other processes (a backup, a sqlite3 shell) contend: one server owns the file.
 */
function busyTimeoutMs(): number {
  const configured = Number(process.env.LOOPDESK_SQLITE_BUSY_TIMEOUT_MS);
  return Number.isInteger(configured) && configured >= 0 ? configured : 250;
}

/** `checkpoints`: tests tune the WAL checkpointer (sqliteCheckpointer.ts). */
export function openSqlite(file: string, checkpoints: Pick<CheckpointerOptions, 'intervalMs' | 'rewindFrames'> = {}): Db {
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps every commit atomic and durable against a process crash; only an OS
  // crash may lose the last commits. That is the trade STACK.md measured (37,900 commits/s).
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  // Savepoints (one per command in a group commit) journal the pages they touch; in a temp file
  // that doubled the bytes written per command.
  conn.pragma('temp_store = MEMORY');
  conn.pragma(`busy_timeout = ${busyTimeoutMs()}`);
  // The safety net only: checkpoints normally run on a worker thread (sqliteCheckpointer.ts),
  // which has the WAL start over well before this.
  conn.pragma('wal_autocheckpoint = 40000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = statements.get(sql);
    if (!st) {
      st = conn.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
  const wrap = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(translateSqliteError(err));
    }
  };
  const direct: Tx = {
    run: (sql, params = []) => wrap(() => prepare(sql).run(...params.map(toSqliteParam)).changes),
    all: <T>(sql: string, params: unknown[] = []) => wrap(() => prepare(sql).all(...params.map(toSqliteParam)) as T[]),
    get: <T>(sql: string, params: unknown[] = []) => wrap(() => prepare(sql).get(...params.map(toSqliteParam)) as T | undefined),
  };
  const queue = new SerialQueue();
  let closed = false;
  const inMemory = file === ':memory:' || file === '';
  const checkpointer: Checkpointer | undefined =
    inMemory || process.env.LOOPDESK_SQLITE_CHECKPOINTER === 'off'
      ? undefined
      : startCheckpointer(file, { ...checkpoints, holdWrites: (fn) => queue.run(fn) });

  // Group commit: transactions that arrive while one is running are applied together in one
  // BEGIN…COMMIT, each inside its own SAVEPOINT so a failing one rolls back alone. Commands on
  // the same instance touch the same pages, so a batch writes far fewer WAL pages than one commit
  // per command; nobody is answered before the COMMIT that makes their work durable.
  interface Pending {
    fn: (tx: Tx) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  const pending: Pending[] = [];
  let flushQueued = false;
  const MAX_BATCH = 64;
  const LOCKED_BACKOFF_MS = 1000;
  let lockedUntil = 0;

  const flush = async () => {
    flushQueued = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length) scheduleFlush();
    if (batch.length === 0) return;
    if (closed) {
      for (const p of batch) p.reject(new DatabaseUnavailableError('database is closed'));
      return;
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    if (Date.now() < lockedUntil) {
      for (const p of batch) p.reject(new DatabaseUnavailableError('the database file is locked by another process'));
      return;
    }
    try {
      conn.exec('BEGIN IMMEDIATE');
    } catch (err) {
      // Someone else holds the write lock. Every waiter would stall the event loop for the busy
      // timeout in turn, so for a short while writes fail fast (503 + Retry-After) instead.
      if (/^SQLITE_(BUSY|LOCKED)/.test((err as { code?: string }).code ?? '')) lockedUntil = Date.now() + LOCKED_BACKOFF_MS;
      for (const p of batch) p.reject(translateSqliteError(err));
      return;
    }
    const single = batch.length === 1;
    for (const p of batch) {
      if (!single) conn.exec('SAVEPOINT cmd');
      try {
        const value = await p.fn(direct);
        if (!single) conn.exec('RELEASE cmd');
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (single) {
          if (conn.inTransaction) conn.exec('ROLLBACK');
          p.reject(error);
          return;
        }
        conn.exec('ROLLBACK TO cmd');
        conn.exec('RELEASE cmd');
        outcomes.push({ ok: false, error });
      }
    }
    try {
      conn.exec('COMMIT');
    } catch (err) {
      if (conn.inTransaction) conn.exec('ROLLBACK');
      for (const p of batch) p.reject(translateSqliteError(err));
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  };
  const scheduleFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    void queue.run(flush);
  };

  return {
    kind: 'sqlite',
    skipLocked: '',
    run: (sql, params) => queue.run(() => direct.run(sql, params)),
    all: (sql, params) => queue.run(() => direct.all(sql, params)),
    get: (sql, params) => queue.run(() => direct.get(sql, params)),
    transaction: <T>(fn: (tx: Tx) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        scheduleFlush();
      }),
    close: () =>
      queue.run(async () => {
        closed = true;
        for (const p of pending.splice(0)) p.reject(new DatabaseUnavailableError('database is closed'));
        await checkpointer?.stop();
        conn.close();
      }),
  };
}

/** Locked, full, read-only or failing storage: the request fails with 503 and may be retried. */
const SQLITE_UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

function translateSqliteError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? '';
  // Extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT…) count as their base code.
  if (SQLITE_UNAVAILABLE.some((base) => code === base || code.startsWith(`${base}_`))) {
    return new DatabaseUnavailableError(`${code}: ${(err as Error).message}`);
  }
  return err;
}

/** `?` → `$1, $2 …`, cached per statement text. Our SQL never has `?` inside string literals. */
const pgSqlCache = new Map<string, string>();
function toPgSql(sql: string): string {
  let out = pgSqlCache.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    pgSqlCache.set(sql, out);
  }
  return out;
}

function toPgParam(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v === undefined ? null : v;
}

// BIGINT (epoch ms) and COUNT(*) come back as strings by default; our values fit a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '53100', '53300']);
function translatePgError(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if ((e.code && PG_UNAVAILABLE.has(e.code)) || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
    return new DatabaseUnavailableError(`${e.code}: ${e.message}`);
  }
  if (/Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(e.message ?? '')) {
    return new DatabaseUnavailableError(e.message);
  }
  return err;
}

function pgQueries(q: (sql: string, params: unknown[]) => Promise<pg.QueryResult>): Tx {
  const exec = async (sql: string, params: unknown[] = []) => {
    try {
      return await q(toPgSql(sql), params.map(toPgParam));
    } catch (err) {
      throw translatePgError(err);
    }
  };
  return {
    run: async (sql, params) => (await exec(sql, params)).rowCount ?? 0,
    all: async <T>(sql: string, params?: unknown[]) => (await exec(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: unknown[]) => (await exec(sql, params)).rows[0] as T | undefined,
  };
}

export function openPostgres(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const direct = pgQueries((sql, params) => pool.query(sql, params));
  return {
    kind: 'postgresql',
    skipLocked: ' FOR UPDATE SKIP LOCKED',
    ...direct,
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translatePgError(err);
      }
      const tx = pgQueries((sql, params) => client.query(sql, params));
      let broken = false;
      // The connection dying between two queries of this transaction (server restart, terminated
      // backend) is emitted on the client, not thrown; without a listener it would crash the process.
      // The next query fails and the transaction rolls back as usual.
      const onLost = () => {
        broken = true;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw translatePgError(err);
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
