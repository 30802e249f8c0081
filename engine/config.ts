/**
 * Configuration from the environment, with defaults that run on a fresh machine:
 * PORT (3000), HOST (127.0.0.1), DATABASE_URL (sqlite:./data/loopdesk.sqlite), LOOPDESK_CLOCK
 * (system | manual; manual is refused with NODE_ENV=production), LOOPDESK_ADMIN_PASSWORD,
 * LOOPDESK_DEFINITIONS (./definitions), LOOPDESK_JOB_POLL_MS (500), LOG_LEVEL (info),
 * LOOPDESK_FILES_DIR (attachments; default `files/` beside the SQLite file, else ./data/files).
 */
import { dirname, join, resolve } from 'node:path';
import { type OidcSettings, oidcSettingsFromEnv } from './auth/oidc.ts';
import { type DatabaseConfig, parseDatabaseUrl } from './store/schema.ts';

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  manualClock: boolean;
  clockStart?: number;
  definitionsDir: string;
  jobPollMs: number;
  logLevel: string;
  /** Where the disk file store keeps attachments (R14). */
  filesDir: string;
  /** Sign-in with the company's identity provider (LOOPDESK_OIDC_*); off when unset. */
  oidc?: OidcSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const manualClock = env.LOOPDESK_CLOCK === 'manual';
  if (manualClock && env.NODE_ENV === 'production') {
    throw new Error('LOOPDESK_CLOCK=manual is for tests and simulations and is refused when NODE_ENV=production');
  }
  if (env.LOOPDESK_CLOCK && !['manual', 'system'].includes(env.LOOPDESK_CLOCK)) {
    throw new Error(`LOOPDESK_CLOCK must be system or manual, got ${env.LOOPDESK_CLOCK}`);
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const clockStart = env.LOOPDESK_CLOCK_START ? Date.parse(env.LOOPDESK_CLOCK_START) : undefined;
  if (clockStart !== undefined && Number.isNaN(clockStart)) throw new Error('LOOPDESK_CLOCK_START must be an ISO 8601 date-time');
  const database = parseDatabaseUrl(env.DATABASE_URL, resolve(cwd, 'data/loopdesk.sqlite'));
  const besideDb = database.kind === 'sqlite' && database.location !== ':memory:' ? join(dirname(resolve(cwd, database.location)), 'files') : undefined;
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    database,
    manualClock,
    clockStart,
    definitionsDir: resolve(cwd, env.LOOPDESK_DEFINITIONS ?? 'definitions'),
    jobPollMs: Number(env.LOOPDESK_JOB_POLL_MS ?? 500),
    logLevel: env.LOG_LEVEL ?? 'info',
    filesDir: env.LOOPDESK_FILES_DIR ? resolve(cwd, env.LOOPDESK_FILES_DIR) : (besideDb ?? resolve(cwd, 'data/files')),
    oidc: oidcSettingsFromEnv(env),
  };
}
