/**
 * The lean SQL path the engine runs on. MikroORM owns the schema (entities.ts, schema.ts); the hot
 * path (start, complete, fire timer) issues a handful of prepared statements per step instead,
 * because MikroORM's unit of work alone caps out near 1,600 transactions/s on this machine class
 * (see ../shared/STACK.md). SQL here is a portable subset: `?` placeholders, TEXT JSON, epoch-ms
 * BIGINT times, 0/1 integers for booleans.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

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

export function openSqlite(file: string): Db {
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps every commit atomic and durable against a process crash; only an OS
  // crash may lose the last commits. That is the trade STACK.md measured (37,900 commits/s).
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
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
  return {
    kind: 'sqlite',
    skipLocked: '',
    run: (sql, params) => queue.run(() => direct.run(sql, params)),
    all: (sql, params) => queue.run(() => direct.all(sql, params)),
    get: (sql, params) => queue.run(() => direct.get(sql, params)),
    transaction: (fn) =>
      queue.run(async () => {
        if (closed) throw new DatabaseUnavailableError('database is closed');
        conn.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          conn.exec('COMMIT');
          return result;
        } catch (err) {
          if (conn.inTransaction) conn.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () =>
      queue.run(async () => {
        closed = true;
        conn.close();
      }),
  };
}

function translateSqliteError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR') {
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
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
