/**
 * The arithmetic of one SLA clock: elapsed time across paused segments, the instant it falls due
 * and the instant it warns, counted in wall time or in the working time of a calendar.
 */
import { Duration } from 'luxon';
import type { BusinessCalendar } from './calendar.ts';

export interface ClockState {
  targetMs: number;
  workingTime: boolean;
  /** Counted before the current segment (all earlier running segments). */
  accumulatedMs: number;
  /** Start of the running segment; null while paused or stopped. */
  segmentStart: number | null;
}

export class ClockCalendarMissing extends Error {
  override readonly name = 'ClockCalendarMissing';
}

function needCalendar(cal: BusinessCalendar | undefined): BusinessCalendar {
  if (!cal) throw new ClockCalendarMissing('a working-time SLA target needs a calendar');
  return cal;
}

/** Time counted between two instants: wall milliseconds, or working milliseconds of the calendar. */
export function measure(from: number, to: number, working: boolean, cal?: BusinessCalendar): number {
  if (to <= from) return 0;
  return working ? needCalendar(cal).workingMsBetween(new Date(from), new Date(to)) : to - from;
}

/** The instant `ms` of (working) time after `from`. */
export function addTime(from: number, ms: number, working: boolean, cal?: BusinessCalendar): number {
  return working ? needCalendar(cal).addWorkingTime(new Date(from), Math.max(0, Math.round(ms))).getTime() : from + ms;
}

/**
 * A target duration in milliseconds of the clock's kind. In working time a day (`P3D`) means
 * "the same clock time three working days later" (the calendar's rule), so it is measured from
 * the clock's start rather than multiplied out.
 */
export function targetMs(iso: string, working: boolean, start: number, cal?: BusinessCalendar): number {
  if (!working) return Duration.fromISO(iso).as('milliseconds');
  const c = needCalendar(cal);
  const end = c.addWallOrWorking(new Date(start), iso, { workingTime: true }).getTime();
  return c.workingMsBetween(new Date(start), new Date(end));
}

export function elapsed(clock: ClockState, now: number, cal?: BusinessCalendar): number {
  return clock.accumulatedMs + (clock.segmentStart === null ? 0 : measure(clock.segmentStart, now, clock.workingTime, cal));
}

/** When the clock breaches if it keeps running; null while it does not run. */
export function dueAt(clock: ClockState, cal?: BusinessCalendar): number | null {
  if (clock.segmentStart === null) return null;
  return addTime(clock.segmentStart, clock.targetMs - clock.accumulatedMs, clock.workingTime, cal);
}

/** When the clock reaches `fraction` of its target; null while paused or if already past. */
export function warnAt(clock: ClockState, fraction: number, cal?: BusinessCalendar): number | null {
  if (clock.segmentStart === null) return null;
  const left = clock.targetMs * fraction - clock.accumulatedMs;
  return left <= 0 ? null : addTime(clock.segmentStart, left, clock.workingTime, cal);
}
