/**
 * Creates or updates the tables from the MikroORM entity schemas when the server starts, then
 * hands the connection string to the lean SQL layer. On PostgreSQL an advisory lock keeps two
 * nodes that start together from migrating at the same time.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM as SqliteOrm } from '@mikro-orm/better-sqlite';
import { MikroORM as PgOrm } from '@mikro-orm/postgresql';
import pg from 'pg';
import { type Db, openPostgres, openSqlite } from './db.ts';
import { entities } from './entities.ts';

export interface DatabaseConfig {
  kind: 'sqlite' | 'postgresql';
  /** File path for SQLite, connection URL for PostgreSQL. */
  location: string;
}

/** `sqlite:<path>`, `postgres://…` / `postgresql://…`, or a bare path (SQLite). */
export function parseDatabaseUrl(url: string | undefined, defaultFile: string): DatabaseConfig {
  if (!url) return { kind: 'sqlite', location: defaultFile };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgresql', location: url };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', location: url.slice('sqlite:'.length).replace(/^\/\//, '') };
  if (url.includes('://')) throw new Error(`DATABASE_URL must be sqlite:<path> or postgres://…, got ${url}`);
  return { kind: 'sqlite', location: url };
}

const SCHEMA_LOCK = 7_140_001;

async function updateSchema(config: DatabaseConfig): Promise<void> {
  const common = { entities, debug: false, discovery: { warnWhenNoEntities: false } };
  if (config.kind === 'sqlite') {
    const orm = await SqliteOrm.init({ ...common, dbName: config.location });
    try {
      await orm.schema.updateSchema({ safe: true });
    } finally {
      await orm.close(true);
    }
    return;
  }
  const lock = new pg.Client({ connectionString: config.location });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    const orm = await PgOrm.init({ ...common, clientUrl: config.location });
    try {
      await orm.schema.updateSchema({ safe: true });
    } finally {
      await orm.close(true);
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** Opens the database, creating the file (SQLite) and the schema as needed. */
export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  if (config.kind === 'sqlite' && config.location !== ':memory:') mkdirSync(dirname(config.location), { recursive: true });
  await updateSchema(config);
  return config.kind === 'sqlite' ? openSqlite(config.location) : openPostgres(config.location);
}
