/**
 * The databases a suite runs against: SQLite always, PostgreSQL at 127.0.0.1:5432 when it answers.
 * CI sets LOOPDESK_REQUIRE_PG=1 so a missing PostgreSQL fails the run instead of skipping it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type Backend = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.LOOPDESK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: Promise<boolean> | undefined;
function probePg(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgAvailable;
}

export async function backends(): Promise<Backend[]> {
  if (await probePg()) return ['sqlite', 'postgres'];
  if (process.env.LOOPDESK_REQUIRE_PG === '1') throw new Error(`PostgreSQL is required (LOOPDESK_REQUIRE_PG=1) but ${PG_ADMIN_URL} does not answer`);
  return ['sqlite'];
}

/** A fresh, empty database for one test: a new SQLite file, or a new PostgreSQL database. */
export async function freshDatabaseUrl(backend: Backend): Promise<{ url: string; drop: () => Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'loopdesk-test-'));
    return { url: `sqlite:${join(dir, 'loopdesk.sqlite')}`, drop: async () => undefined };
  }
  const name = `ld_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}
