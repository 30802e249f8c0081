/**
 * Business calendars as data (R7): stored in the database, seeded from definitions/calendars,
 * edited by admins. The engine reads them synchronously while it steps, so every node keeps the
 * compiled calendars in memory and reloads them after a change (and periodically, for changes made
 * on another node).
 */
import type { CalendarDefinition } from '../../schemas/calendar.schema.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { BusinessCalendar, CalendarError } from '../sla/calendar.ts';
import type { Tx } from '../store/db.ts';
import { storedDefinition, writeDefinition } from '../store/keyedDefinitions.ts';
import { type EngineContext, type Principal, command } from './context.ts';

export interface CalendarSummary {
  key: string;
  definition: CalendarDefinition;
  updatedAt: number;
  updatedBy: string;
}

/** Compiles a definition or answers 422 pointing at the field at fault. */
export function compileCalendarOr422(definition: unknown): BusinessCalendar {
  try {
    return new BusinessCalendar(definition as CalendarDefinition);
  } catch (err) {
    if (err instanceof CalendarError) {
      throw new LoopdeskError('LD_CALENDAR_INVALID', 422, err.message, [{ path: err.path ?? '', message: err.message, code: err.code }]);
    }
    throw err;
  }
}

/** Reloads every calendar into the context's cache. */
export async function loadCalendars(ctx: EngineContext, tx: Tx = ctx.db): Promise<void> {
  const rows = await tx.all<{ key: string; definition: string }>('SELECT key, definition FROM calendars');
  const next = new Map<string, BusinessCalendar>();
  for (const r of rows) next.set(r.key, new BusinessCalendar(JSON.parse(r.definition)));
  ctx.calendars = next;
}

export async function saveCalendar(
  ctx: EngineContext,
  definition: CalendarDefinition,
  actor: Principal,
  options: { mode: 'create' | 'replace' | 'upsert'; requestId?: string },
): Promise<{ created: boolean; calendar: CalendarSummary }> {
  const compiled = compileCalendarOr422(definition);
  const result = await command(ctx, async (tx, now) => {
    const existing = await storedDefinition(tx, 'calendars', compiled.key);
    if (existing && options.mode === 'create') throw new LoopdeskError('LD_CALENDAR_EXISTS', 409, `calendar ${compiled.key} already exists`);
    if (!existing && options.mode === 'replace') throw notFound('calendar', compiled.key);
    const outcome = await writeDefinition(tx, now, {
      table: 'calendars',
      entityType: 'calendar',
      key: compiled.key,
      definition,
      existing,
      actor: actor.username,
      requestId: options.requestId,
    });
    if (outcome === 'unchanged') {
      return { created: false, calendar: { key: compiled.key, definition, updatedAt: existing!.updated_at, updatedBy: existing!.updated_by } };
    }
    return { created: outcome === 'created', calendar: { key: compiled.key, definition, updatedAt: now, updatedBy: actor.username } };
  });
  ctx.calendars.set(compiled.key, compiled);
  return result;
}

export async function listCalendars(ctx: EngineContext): Promise<CalendarSummary[]> {
  const rows = await ctx.db.all<{ key: string; definition: string; updated_at: number; updated_by: string }>(
    'SELECT key, definition, updated_at, updated_by FROM calendars ORDER BY key',
  );
  return rows.map((r) => ({ key: r.key, definition: JSON.parse(r.definition), updatedAt: r.updated_at, updatedBy: r.updated_by }));
}

export async function getCalendar(ctx: EngineContext, key: string): Promise<CalendarSummary> {
  const all = await listCalendars(ctx);
  const found = all.find((c) => c.key === key);
  if (!found) throw notFound('calendar', key);
  return found;
}
