/**
 * R35: the database failing under a running server. A SQLite file locked by another process, a
 * SQLite database that is full, PostgreSQL dropping every connection (as in a restart): requests
 * fail with a clear 503 and Retry-After — never a 500, never half a change — and the same server
 * serves again once the database is back, without a restart.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const newCustomer = (s: TestServer, name: string) => s.api('POST', '/api/customers', { token: s.adminToken, body: { name } });
/** A well-behaved client: on 503 it waits what Retry-After says and tries again (a few times). */
const newCustomerRetrying = async (s: TestServer, name: string) => {
  for (let attempt = 0; ; attempt++) {
    const r = await newCustomer(s, name);
    if (r.status !== 503 || attempt === 5) return r;
    await new Promise((done) => setTimeout(done, Number(r.headers.get('retry-after') ?? 1) * 1000));
  }
};
const customers = async (s: TestServer, name: string) => (await s.api('GET', `/api/customers?q=${encodeURIComponent(name)}`, { token: s.adminToken })).body;

describe('R35: SQLite locked or full', () => {
  let s: TestServer;
  let file: string;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
    file = s.databaseUrl.replace(/^sqlite:/, '');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('R35: a write while another process holds the lock is a 503 with Retry-After, then works', async () => {
    // A real second process takes the write lock for a few seconds (far beyond the server's busy
    // timeout of 250 ms), as a backup tool or a stray sqlite3 shell would.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.exec('BEGIN EXCLUSIVE');
         console.log('locked'); setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 3000);`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit');
    try {
      await once(holder.stdout!, 'data');
      const locked = await newCustomer(s, '锁定测试');
      // Answered while the lock is still held: the server fails fast instead of stalling.
      expect(holder.exitCode).toBeNull();
      expect(locked.status, JSON.stringify(locked.body)).toBe(503);
      expect(locked.body.code).toBe('LD_DATABASE_UNAVAILABLE');
      expect(locked.headers.get('retry-after')).toBeTruthy();
    } finally {
      await exited;
    }
    const after = await newCustomerRetrying(s, '锁定测试');
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    // Exactly the acknowledged write is stored.
    expect(await customers(s, '锁定测试')).toHaveLength(1);
  }, 60_000);

  it('R35: a full database is a 503, nothing half-written, and writes resume when there is room', async () => {
    expect((await newCustomerRetrying(s, '满之前')).status).toBe(201);
    const db = s.server.ctx.db;
    const pages = Number((await db.get<{ page_count: number }>('PRAGMA page_count'))!.page_count);
    // A quota at the current size: the next page the database needs is refused (SQLITE_FULL).
    await db.run(`PRAGMA max_page_count = ${pages}`);
    try {
      const big = 'x'.repeat(3000);
      let full: Awaited<ReturnType<typeof newCustomer>> | undefined;
      for (let i = 0; i < 200 && !full; i++) {
        const r = await newCustomer(s, `满-${i}-${big}`.slice(0, 190));
        if (r.status !== 201) full = r;
      }
      expect(full, 'the quota was reached').toBeDefined();
      expect(full!.status, JSON.stringify(full!.body)).toBe(503);
      expect(full!.body.code).toBe('LD_DATABASE_UNAVAILABLE');
      // Reads still work while full.
      expect((await s.api('GET', '/api/health')).status).toBe(200);
    } finally {
      await db.run('PRAGMA max_page_count = 1073741823');
    }
    const room = await newCustomerRetrying(s, '有空间了');
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    // The audit trail still verifies: the refused writes left no half-written rows.
    const verify = await s.api('GET', '/api/audit/verify', { token: s.adminToken });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
  }, 60_000);
});

for (const backend of (await backends()).filter((b) => b === 'postgres')) {
  describe('R35: PostgreSQL drops every connection', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(backend);
    });
    afterAll(async () => {
      await s?.close();
    });

    it('R35: requests during the outage get 503 or succeed, never 500, and the server recovers without a restart', async () => {
      expect((await newCustomer(s, '断线前')).status).toBe(201);
      const admin = new pg.Client({ connectionString: s.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        expect(killed.rows.length).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await newCustomer(s, `断线-${i}`)).status);
      expect(statuses.filter((st) => st !== 201 && st !== 503)).toEqual([]);
      // The pool replaced its dead connections: the last requests went through.
      expect(statuses.slice(-3)).toEqual([201, 201, 201]);
      const stored = await customers(s, '断线-');
      const count = (stored.items ?? stored).length;
      expect(count).toBe(statuses.filter((st) => st === 201).length);
    }, 60_000);
  });
}
