/**
 * What every use case needs: the database, the clock, the service handlers and the cache of parsed
 * process graphs. Built once by the server (or a test, or the benchmark) and passed down.
 */
import type { ProcessGraph } from '../bpmn/model.ts';
import type { ServiceRegistry } from '../bpmn/services.ts';
import type { Clock } from '../core/clock.ts';
import { RevisionConflict } from '../core/errors.ts';
import { type AddDuration, addWallDuration } from '../core/timers.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import type { Db, Tx } from '../store/db.ts';

export interface Principal {
  id: string;
  username: string;
  roles: string[];
  teams: string[];
  departments: string[];
  skills: string[];
  permissions: string[];
}

/** The system acting on its own (timers, start-up loading). */
export const SYSTEM: Principal = {
  id: 'system',
  username: 'system',
  roles: ['admin'],
  teams: [],
  departments: [],
  skills: [],
  permissions: ['pii:read'],
};

export interface EngineContext {
  db: Db;
  clock: Clock;
  services: ServiceRegistry;
  addDuration: AddDuration;
  graphs: Map<string, ProcessGraph>;
  /** Compiled business calendars by key (see usecases/calendars.ts). */
  calendars: Map<string, BusinessCalendar>;
  /** The calendar for working time when a process names none. */
  defaultCalendar: string;
  /** Called after a commit that created jobs, so the job runner can wake up early. */
  onJobsScheduled?: (earliestDueAt: number) => void;
}

/** The calendar a process counts working time in: its own, else the default, if loaded. */
export function calendarOf(ctx: EngineContext, graph: ProcessGraph, key?: string): BusinessCalendar | undefined {
  return ctx.calendars.get(key ?? graph.loopdesk?.calendar ?? ctx.defaultCalendar);
}

export function createContext(db: Db, clock: Clock, services: ServiceRegistry): EngineContext {
  return { db, clock, services, addDuration: addWallDuration, graphs: new Map(), calendars: new Map(), defaultCalendar: 'cn-mainland' };
}

export const isAdmin = (p: Principal) => p.roles.includes('admin');
export const isSupervisor = (p: Principal) => p.roles.includes('supervisor') || isAdmin(p);

/**
 * Runs a command in one transaction and retries it when the instance changed underneath it
 * (optimistic locking); the retry re-reads everything, so the outcome is as if it ran second.
 */
export async function command<T>(ctx: EngineContext, fn: (tx: Tx, now: number) => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    const hooks: (() => void)[] = [];
    try {
      const result = await ctx.db.transaction((tx) => {
        afterCommitHooks.set(tx, hooks);
        return fn(tx, ctx.clock.now());
      });
      for (const h of hooks) h();
      return result;
    } catch (err) {
      if (!(err instanceof RevisionConflict) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * i));
    }
  }
}

const afterCommitHooks = new WeakMap<Tx, (() => void)[]>();

/** Runs `cb` once the command's transaction has committed (never if it rolls back). */
export function afterCommit(tx: Tx, cb: () => void): void {
  const hooks = afterCommitHooks.get(tx);
  if (hooks) hooks.push(cb);
  else queueMicrotask(cb);
}
