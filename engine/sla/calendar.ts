import { DateTime } from 'luxon';
import type { CalendarDefinition } from '../../schemas/calendar.schema.ts';
import { type CompiledCalendar, compileCalendar, type MinutePeriod } from './calendar-definition.ts';
import { CalendarError } from './calendar-errors.ts';
import { MS_PER_DAY, MS_PER_MINUTE, weekdayOf } from './calendar-zone.ts';
import { parseIsoDuration } from './iso-duration.ts';

export { assertCalendarDefinition } from './calendar-definition.ts';
export { CalendarError, type CalendarErrorCode } from './calendar-errors.ts';

/** One local date, resolved to instants. */
interface Day {
  readonly day: number;
  /** First instant of the date and first instant of the next one: [start, end). */
  readonly start: number;
  readonly end: number;
  /** Working spans as instants, flattened [from0, to0, from1, to1, …], sorted, disjoint, non-empty. */
  readonly spans: readonly number[];
  /** Working milliseconds of the date. */
  readonly total: number;
}

/** Local offsets lie within [-12 h, +14 h]; a little slack on both sides. */
const MAX_OFFSET_MS = 15 * 3_600_000;
/** Resolved dates kept per calendar; a decade is ~3,700. Past this the cache starts over. */
const MAX_CACHED_DAYS = 20_000;
/** Consecutive dates without working time after which the calendar is considered empty. */
const MAX_IDLE_DAYS = 3_700;

/**
 * Working-time arithmetic over a business calendar (R5–R7): regular weekly hours, holidays and
 * make-up workdays, read in the calendar's IANA time zone.
 *
 * Working time is the union of the day's periods, each half-open [start, end): 09:00 is working
 * time, 12:00 is not. A period boundary is the first instant the wall clock shows that time (see
 * `ZoneClock.instantAt` for what that means on DST days). All arithmetic is exact to the
 * millisecond, works date by date on cached per-date spans (never minute by minute), and touches
 * the zone database only when a date is first resolved.
 *
 * Instances are immutable apart from that cache and safe to share.
 */
export class BusinessCalendar {
  readonly key: string;
  readonly timeZone: string;
  readonly #calendar: CompiledCalendar;
  readonly #days = new Map<number, Day>();

  /** Validates the definition; throws `CalendarError` LD_CALENDAR_INVALID with a `path`. */
  constructor(definition: CalendarDefinition) {
    this.#calendar = compileCalendar(definition);
    this.key = this.#calendar.key;
    this.timeZone = this.#calendar.zone.name;
  }

  /** Whether `t` lies inside a working period. */
  isWorkingTime(t: Date): boolean {
    const at = instant(t);
    const { spans } = this.#dayOf(at);
    for (let i = 0; i < spans.length; i += 2) {
      if (at < spans[i]) return false;
      if (at < spans[i + 1]) return true;
    }
    return false;
  }

  /** `t` itself when it is working time, otherwise the start of the next working period. */
  nextWorkingInstant(t: Date): Date {
    return new Date(this.#nextWorking(instant(t)));
  }

  /**
   * The earliest instant by which `ms` of working time has elapsed since `start`. `ms` = 0 gives
   * `start` itself. A deadline that uses up a period exactly is that period's end (Friday 18:00),
   * not the next opening (Monday 09:00): both are the same working time, and the earlier is what
   * a customer is promised.
   */
  addWorkingTime(start: Date, ms: number): Date {
    return new Date(this.#addWorking(instant(start), duration(ms)));
  }

  /** Working milliseconds in [a, b); 0 when b ≤ a. */
  workingMsBetween(a: Date, b: Date): number {
    const from = instant(a);
    const to = instant(b);
    if (to <= from) return 0;
    const first = this.#dayOf(from);
    const last = this.#dayOf(to);
    if (first.day === last.day) return overlap(first, from, to);
    let sum = overlap(first, from, first.end);
    for (let day = first.day + 1; day < last.day; day++) sum += this.#dayRecord(day).total;
    return sum + overlap(last, last.start, to);
  }

  /**
   * `start` plus an ISO 8601 duration, in wall-clock time or in working time.
   *
   * Wall-clock time (`workingTime: false`) is luxon's arithmetic in the calendar's zone: P1D is
   * the same local time the next day (23 or 25 h across a DST change), PT24H exactly 24 hours.
   *
   * Working time (`workingTime: true`) follows how service desks promise "3 working days":
   * - Days (D) move to the same local clock time N working days later, counted from the moment
   *   the clock starts (the next working instant). Friday 18:30 + P1D: the clock starts Monday
   *   09:00, so the deadline is Tuesday 09:00; Wednesday 10:00 + P3D before a 7-day holiday is
   *   10:00 on the third working day after it. This keeps promises stable when days have
   *   different hours, where "N × the length of a standard day" would land at odd times. If the
   *   clock time is not working time on the target day (shorter hours that day), the deadline is
   *   that day's next working instant, and never later than the end of its last period.
   * - A week (W) is as many working days as the regular week has (5 for Mon–Fri, 7 for 7×24).
   * - Hours, minutes and seconds are working time, added after the days (P1DT2H).
   * - Years and months have no agreed working-time meaning and are rejected
   *   (LD_SLA_UNSUPPORTED_WORKING_UNIT).
   */
  addWallOrWorking(start: Date, isoDuration: string, options: { workingTime: boolean }): Date {
    const at = instant(start);
    const parsed = parseIsoDuration(isoDuration);
    if (!options.workingTime) {
      return DateTime.fromMillis(at, { zone: this.timeZone })
        .plus({
          years: parsed.years,
          months: parsed.months,
          weeks: parsed.weeks,
          days: parsed.days,
          milliseconds: parsed.timeMs,
        })
        .toJSDate();
    }
    if (parsed.years || parsed.months) {
      throw new CalendarError(
        'LD_SLA_UNSUPPORTED_WORKING_UNIT',
        `"${isoDuration}": years and months cannot be counted in working time; use days or hours`,
      );
    }
    const workingDays = parsed.weeks * this.#calendar.workingDaysPerWeek + parsed.days;
    const afterDays = workingDays > 0 ? this.#sameClockTimeLater(at, workingDays) : at;
    return new Date(this.#addWorking(afterDays, parsed.timeMs));
  }

  #nextWorking(at: number): number {
    let record = this.#dayOf(at);
    for (let idle = 0; ; idle++) {
      const { spans } = record;
      for (let i = 0; i < spans.length; i += 2) {
        if (at < spans[i + 1]) return Math.max(at, spans[i]);
      }
      record = this.#following(record, idle);
    }
  }

  #addWorking(at: number, ms: number): number {
    if (ms === 0) return at;
    let remaining = ms;
    let from = at;
    let record = this.#dayOf(at);
    for (let idle = 0; ; idle++) {
      const { spans } = record;
      if (spans.length > 0) {
        idle = 0;
        if (from <= spans[0] && record.total < remaining) {
          remaining -= record.total; // the whole day fits: skip it in one step
        } else {
          for (let i = 0; i < spans.length; i += 2) {
            const end = spans[i + 1];
            if (end <= from) continue;
            const begin = Math.max(spans[i], from);
            if (end - begin >= remaining) return begin + remaining;
            remaining -= end - begin;
          }
        }
      }
      record = this.#following(record, idle);
      from = record.start;
    }
  }

  /** The same local clock time as the next working instant after `at`, `count` working days on. */
  #sameClockTimeLater(at: number, count: number): number {
    const zone = this.#calendar.zone;
    const clockStart = this.#nextWorking(at);
    let record = this.#dayOf(clockStart);
    const clock = zone.wallMs(clockStart) - record.day * MS_PER_DAY;
    for (let found = 0, idle = 0; found < count; idle++) {
      record = this.#following(record, idle);
      if (record.spans.length > 0) {
        found++;
        idle = 0;
      }
    }
    const target = zone.instantAt(record.day, clock);
    const { spans } = record;
    for (let i = 0; i < spans.length; i += 2) {
      if (target < spans[i + 1]) return Math.max(target, spans[i]);
    }
    return spans[spans.length - 1];
  }

  /** The next date, refusing to walk forever through a calendar that has no working time left. */
  #following(record: Day, idleDays: number): Day {
    const { lastListedDay, weekMinutes } = this.#calendar;
    if ((record.day > lastListedDay && weekMinutes === 0) || idleDays > MAX_IDLE_DAYS) {
      throw new CalendarError(
        'LD_CALENDAR_NO_WORKING_TIME',
        `calendar "${this.key}" has no working time after ${new Date(record.start).toISOString()}`,
      );
    }
    return this.#dayRecord(record.day + 1);
  }

  /** The local date containing instant `at`. */
  #dayOf(at: number): Day {
    const lowest = Math.floor((at - MAX_OFFSET_MS) / MS_PER_DAY);
    const highest = Math.floor((at + MAX_OFFSET_MS) / MS_PER_DAY);
    for (let day = lowest; day <= highest; day++) {
      const record = this.#dayRecord(day);
      if (at >= record.start && at < record.end) return record;
    }
    // Unreachable for real zones; fall back on the zone's own answer.
    return this.#dayRecord(Math.floor(this.#calendar.zone.wallMs(at) / MS_PER_DAY));
  }

  #dayRecord(day: number): Day {
    const cached = this.#days.get(day);
    if (cached) return cached;
    if (this.#days.size >= MAX_CACHED_DAYS) this.#days.clear();
    const record = this.#resolve(day);
    this.#days.set(day, record);
    return record;
  }

  #resolve(day: number): Day {
    const { zone } = this.#calendar;
    const spans: number[] = [];
    let total = 0;
    for (const [startMinute, endMinute] of this.#periodsOf(day)) {
      const from = zone.instantAt(day, startMinute * MS_PER_MINUTE);
      const to = zone.instantAt(day, endMinute * MS_PER_MINUTE);
      if (to <= from) continue; // the whole period fell into a DST gap
      total += to - from;
      if (spans.length > 0 && from <= spans[spans.length - 1]) {
        spans[spans.length - 1] = to; // touching periods (12:00–13:00, 13:00–14:00) merge
      } else {
        spans.push(from, to);
      }
    }
    return { day, start: zone.instantAt(day, 0), end: zone.instantAt(day + 1, 0), spans, total };
  }

  #periodsOf(day: number): readonly MinutePeriod[] {
    const { workdays, holidays, week } = this.#calendar;
    return workdays.get(day) ?? (holidays.has(day) ? [] : week[weekdayOf(day)]);
  }
}

/** Working milliseconds of `record` inside [from, to). */
function overlap(record: Day, from: number, to: number): number {
  const { spans } = record;
  let sum = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const begin = Math.max(spans[i], from);
    const end = Math.min(spans[i + 1], to);
    if (end > begin) sum += end - begin;
  }
  return sum;
}

function instant(t: Date): number {
  const ms = t instanceof Date ? t.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new CalendarError('LD_SLA_INVALID_ARGUMENT', `expected a valid Date, got ${String(t)}`);
  }
  return ms;
}

function duration(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new CalendarError(
      'LD_SLA_INVALID_ARGUMENT',
      `expected a whole, non-negative number of milliseconds, got ${ms}`,
    );
  }
  return ms;
}
