/**
 * A Loopdesk server as a child process (`node --import tsx engine/main.ts`), for tests that must
 * kill a server (SIGKILL / SIGTERM), restart it on the same database, or run several nodes on one
 * PostgreSQL database. stdout and stderr are captured (bounded) for failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type Backend, freshDatabaseUrl } from './backends.ts';
import type { ApiResponse } from './server.ts';

export const CHILD_ADMIN_PASSWORD = 'admin-child-password';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LISTENING = /Loopdesk (http:\/\/\S+)/;
const MAX_CAPTURE = 64 * 1024;

export interface SpawnOptions {
  /** Database to run on; a fresh one for `backend` when absent. */
  databaseUrl?: string;
  backend?: Backend;
  /** Port to listen on; a free one when absent. A restart keeps the port. */
  port?: number;
  jobPollMs?: number;
  /** Extra environment (LOG_LEVEL, LOOPDESK_CLOCK, …). */
  env?: Record<string, string | undefined>;
  /** How long to wait for the listening line. */
  startTimeoutMs?: number;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly databaseUrl: string;
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<ExitResult>;
  api<T = any>(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  login(username: string, password: string): Promise<string>;
  /** Captured output, for assertion messages. */
  stderr(): string;
  stdout(): string;
  /** Sends the signal and waits (bounded) for the exit. */
  kill(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
  /** A new child on the same database and definitions directory, and the same port unless it was taken meanwhile (the old child must have exited). */
  restart(): Promise<ServerProcess>;
  /** SIGKILLs the child if it still runs and drops the database if spawnServer created it. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

function capture(stream: NodeJS.ReadableStream | null, sink: { text: string }, onData?: (chunk: string) => void): void {
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    sink.text += chunk;
    if (sink.text.length > MAX_CAPTURE) sink.text = sink.text.slice(-MAX_CAPTURE);
    onData?.(chunk);
  });
}

/** A JSON-over-HTTP client like the one of startTestServer. */
export function httpClient(baseUrl: string): ServerProcess['api'] {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string') body = opts.body;
      else {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const res = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // non-JSON bodies stay text
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
}

interface Resolved {
  databaseUrl: string;
  port: number;
  definitionsDir: string;
  jobPollMs: number;
  env: Record<string, string | undefined>;
  startTimeoutMs: number;
  drop: () => Promise<void>;
}

async function launch(r: Resolved): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(r.port),
    HOST: '127.0.0.1',
    DATABASE_URL: r.databaseUrl,
    LOOPDESK_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD,
    LOOPDESK_DEFINITIONS: r.definitionsDir,
    LOOPDESK_JOB_POLL_MS: String(r.jobPollMs),
    LOOPDESK_CLOCK: 'system',
    LOG_LEVEL: 'warn',
    ...r.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const out = { text: '' };
  const err = { text: '' };
  const exited = new Promise<ExitResult>((ok) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      ok({ code, signal });
    });
  });
  const describe = () => `pid ${child.pid}, ${r.databaseUrl}\n--- stderr ---\n${err.text}\n--- stdout ---\n${out.text.slice(-4000)}`;

  const url = await new Promise<string>((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`server did not print its listening line within ${r.startTimeoutMs} ms (${describe()})`));
    }, r.startTimeoutMs);
    capture(child.stdout, out, (chunk) => {
      seen += chunk;
      const m = LISTENING.exec(seen);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      } else if (seen.length > MAX_CAPTURE) seen = seen.slice(-1000);
    });
    capture(child.stderr, err);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(new Error(`could not spawn the server: ${e.message}`));
    });
    void exited.then((x) => {
      clearTimeout(timer);
      fail(new Error(`server exited before listening (code ${x.code}, signal ${x.signal}; ${describe()})`));
    });
  });

  const api = httpClient(url);
  const proc: ServerProcess = {
    url,
    port: r.port,
    pid: child.pid!,
    databaseUrl: r.databaseUrl,
    exited,
    api,
    async login(username, password) {
      const res = await api('POST', '/api/auth/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    stderr: () => err.text,
    stdout: () => out.text,
    async kill(signal = 'SIGKILL', timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, fail) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          fail(new Error(`server did not exit within ${timeoutMs} ms of ${signal} (${describe()})`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error(`restart: server pid ${child.pid} is still running; kill it first`);
      try {
        return await launch(r);
      } catch (err) {
        // Someone took the port while the server was down: the database is what must stay the same.
        if (!/EADDRINUSE/.test((err as Error).message)) throw err;
        return launch({ ...r, port: await freePort() });
      }
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) await proc.kill('SIGKILL').catch(() => undefined);
      await r.drop();
    },
  };
  return proc;
}

/** Spawns a server child process and resolves once it listens. */
export async function spawnServer(options: SpawnOptions = {}): Promise<ServerProcess> {
  const fresh = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await freshDatabaseUrl(options.backend ?? 'sqlite');
  return launch({
    databaseUrl: fresh.url,
    drop: fresh.drop,
    port: options.port ?? (await freePort()),
    definitionsDir: mkdtempSync(join(tmpdir(), 'loopdesk-defs-')),
    jobPollMs: options.jobPollMs ?? 100,
    env: options.env ?? {},
    startTimeoutMs: options.startTimeoutMs ?? 45_000,
  });
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface DatabaseReader {
  /** Runs a query with `?` placeholders; BIGINT and COUNT(*) come back as numbers. */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const numeric = (row: Record<string, unknown>) => {
  for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint') row[k] = Number(v);
  return row;
};

/**
 * A direct connection to a server's database, to check what is stored while the server is down or
 * to count rows no API lists. Only for reading (the child owns the schema).
 */
export async function openDatabaseReader(databaseUrl: string): Promise<DatabaseReader> {
  if (databaseUrl.startsWith('sqlite:')) {
    const conn = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true });
    conn.pragma('busy_timeout = 5000');
    conn.defaultSafeIntegers(false);
    return {
      all: async <T>(sql: string, params: unknown[] = []) => conn.prepare(sql).all(...params).map((r) => numeric(r as Record<string, unknown>)) as T[],
      close: async () => {
        conn.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const bigints = (v: string) => Number.parseInt(v, 10);
  return {
    all: async <T>(sql: string, params: unknown[] = []) => {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      const res = await client.query({ text, values: params, types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? bigints : pg.types.getTypeParser(oid, format)) } as any });
      return res.rows as T[];
    },
    close: () => client.end(),
  };
}
