/**
 * When a timer falls due. ISO 8601 durations (PT2H), dates (2026-05-01T09:00:00+08:00) and cycles
 * (R3/PT1H, R/PT10M, R2/2026-05-01T09:00:00Z/PT1H), literal or computed by a FEEL expression.
 * Adding a duration goes through `addDuration` so working-time calendars can replace wall time.
 */
import { DateTime, Duration } from 'luxon';
import type { TimerDefinition } from '../bpmn/model.ts';
import { resolveValue } from './feel.ts';

/** Adds an ISO 8601 duration to an instant (epoch ms). The default counts wall-clock time. */
export type AddDuration = (start: number, isoDuration: string) => number;

export const addWallDuration: AddDuration = (start, iso) => {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new TimerError(`"${iso}" is not an ISO 8601 duration`);
  return DateTime.fromMillis(start, { zone: 'utc' }).plus(d).toMillis();
};

export class TimerError extends Error {
  override readonly name = 'TimerError';
}

export interface TimerSchedule {
  dueAt: number;
  /** Cycles: the repeat interval and how many firings remain after this one (-1 = unbounded). */
  cycle?: { interval: string; remaining: number };
}

function parseDate(text: string): number {
  const dt = DateTime.fromISO(text, { setZone: true });
  if (!dt.isValid) throw new TimerError(`"${text}" is not an ISO 8601 date-time`);
  return dt.toMillis();
}

/** Parses `R[n]/[start/]interval` into its parts. */
export function parseCycle(text: string): { repetitions: number; start?: number; interval: string } {
  const parts = text.trim().split('/');
  const m = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!m || parts.length < 2 || parts.length > 3) throw new TimerError(`"${text}" is not an ISO 8601 repeating interval`);
  const repetitions = m[1] === '' ? -1 : Number(m[1]);
  if (parts.length === 3) return { repetitions, start: parseDate(parts[1]!), interval: parts[2]! };
  return { repetitions, interval: parts[1]! };
}

export function scheduleTimer(
  timer: TimerDefinition,
  now: number,
  variables: Record<string, unknown>,
  addDuration: AddDuration = addWallDuration,
): TimerSchedule {
  const resolved = resolveValue(timer.expression, variables);
  const text = typeof resolved === 'string' ? resolved.trim() : String(resolved ?? '');
  switch (timer.kind) {
    case 'duration':
      return { dueAt: addDuration(now, text) };
    case 'date':
      return { dueAt: parseDate(text) };
    case 'cycle': {
      const c = parseCycle(text);
      const first = c.start !== undefined && c.start > now ? c.start : addDuration(now, c.interval);
      if (c.repetitions === 0) throw new TimerError(`"${text}" repeats zero times`);
      return { dueAt: first, cycle: { interval: c.interval, remaining: c.repetitions < 0 ? -1 : c.repetitions - 1 } };
    }
  }
}

/** The next firing of a cycle after one fired at `firedDueAt`, or undefined when it is used up. */
export function nextCycle(schedule: TimerSchedule, addDuration: AddDuration = addWallDuration): TimerSchedule | undefined {
  const c = schedule.cycle;
  if (!c || c.remaining === 0) return undefined;
  return {
    dueAt: addDuration(schedule.dueAt, c.interval),
    cycle: { interval: c.interval, remaining: c.remaining < 0 ? -1 : c.remaining - 1 },
  };
}
