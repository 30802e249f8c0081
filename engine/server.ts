/**
 * Assembles a running Loopdesk: database (schema ensured), engine context, job runner, HTTP app,
 * shipped definitions. `npm start` (main.ts) and the tests use the same function.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ensureAdmin } from './auth/users.ts';
import { registerCustomerLookup } from './customers/customers.ts';
import type { Config } from './config.ts';
import { ManualClock, systemClock } from './core/clock.ts';
import { loadShippedDefinitions } from './definitions/loadShipped.ts';
import { builtInHandlers } from './handlers/index.ts';
import { buildApp } from './http/app.ts';
import { JobRunner } from './jobs/JobRunner.ts';
import { ensureKnowledgeSearch } from './knowledge/searchIndex.ts';
import { NotificationDispatcher } from './notifications/NotificationDispatcher.ts';
import { ReportScheduler } from './analytics/reportSchedule.ts';
import { notificationSettingsFromEnv } from './notifications/settings.ts';
import { openDatabase } from './store/schema.ts';
import { loadCalendars } from './usecases/calendars.ts';
import { type EngineContext, createContext } from './usecases/context.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface Server {
  app: FastifyInstance;
  ctx: EngineContext;
  runner: JobRunner;
  /** Expands and delivers notifications; started by createServer, stopped by close(). */
  notifier: NotificationDispatcher;
  /** Set when this start created the admin with a generated password. */
  generatedAdminPassword: string | null;
  close(): Promise<void>;
}

export async function createServer(config: Config, options: { logger?: boolean | object } = {}): Promise<Server> {
  const db = await openDatabase(config.database);
  await ensureKnowledgeSearch(db);
  const clock = config.manualClock ? new ManualClock(config.clockStart ?? Date.now()) : systemClock;
  const ctx = createContext(db, clock, builtInHandlers());
  registerCustomerLookup();
  const runner = new JobRunner(ctx, {
    pollMs: config.jobPollMs,
    log: (msg, err) => app.log.error({ err }, msg),
  });
  const notifierSettings = notificationSettingsFromEnv(process.env);
  const notifier = new NotificationDispatcher(ctx, {
    ...notifierSettings,
    pollMs: notifierSettings.pollMs ?? config.jobPollMs,
    definitionsDir: config.definitionsDir,
    log: (msg, err) => app.log.error({ err }, msg),
  });
  const reports = new ReportScheduler(ctx, config.jobPollMs, (msg, err) => app.log.error({ err }, msg));
  const app = await buildApp({ ctx, runner, version: VERSION, logger: options.logger, oidc: config.oidc });
  const generatedAdminPassword = await ensureAdmin(db, Date.now());
  await loadShippedDefinitions(ctx, config.definitionsDir);
  notifier.start();
  reports.start();
  // Calendars edited on another node reach this one within a minute.
  const calendarRefresh = setInterval(() => loadCalendars(ctx).catch((err) => app.log.error({ err }, 'calendar reload failed')), 60_000);
  calendarRefresh.unref();
  let closed = false;
  return {
    app,
    ctx,
    runner,
    notifier,
    generatedAdminPassword,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(calendarRefresh);
      // Stop taking requests first, then let the job pass under way finish, then close the database.
      await app.close();
      await runner.stop();
      await notifier.stop();
      await reports.stop();
      await db.close();
    },
  };
}
