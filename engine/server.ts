/**
 * Assembles a running Loopdesk: database (schema ensured), engine context, job runner, HTTP app,
 * shipped definitions. `npm start` (main.ts) and the tests use the same function.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ensureAdmin } from './auth/users.ts';
import type { Config } from './config.ts';
import { ManualClock, systemClock } from './core/clock.ts';
import { loadShippedDefinitions } from './definitions/loadShipped.ts';
import { builtInHandlers } from './handlers/index.ts';
import { buildApp } from './http/app.ts';
import { JobRunner } from './jobs/JobRunner.ts';
import { openDatabase } from './store/schema.ts';
import { type EngineContext, createContext } from './usecases/context.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface Server {
  app: FastifyInstance;
  ctx: EngineContext;
  runner: JobRunner;
  /** Set when this start created the admin with a generated password. */
  generatedAdminPassword: string | null;
  close(): Promise<void>;
}

export async function createServer(config: Config, options: { logger?: boolean | object } = {}): Promise<Server> {
  const db = await openDatabase(config.database);
  const clock = config.manualClock ? new ManualClock(config.clockStart ?? Date.now()) : systemClock;
  const ctx = createContext(db, clock, builtInHandlers());
  const runner = new JobRunner(ctx, {
    pollMs: config.jobPollMs,
    log: (msg, err) => app.log.error({ err }, msg),
  });
  const app = await buildApp({ ctx, runner, version: VERSION, logger: options.logger });
  const generatedAdminPassword = await ensureAdmin(db, Date.now());
  await loadShippedDefinitions(ctx, config.definitionsDir);
  let closed = false;
  return {
    app,
    ctx,
    runner,
    generatedAdminPassword,
    async close() {
      if (closed) return;
      closed = true;
      // Stop taking requests first, then let the job pass under way finish, then close the database.
      await app.close();
      await runner.stop();
      await db.close();
    },
  };
}
