import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar, CalendarError } from '../../../engine/sla/calendar.ts';
import type { CalendarDefinition } from '../../../schemas/calendar.schema.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function loadShipped(file: string): CalendarDefinition {
  const url = new URL(`../../../definitions/calendars/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as CalendarDefinition;
}

const cn = new BusinessCalendar(loadShipped('cn-mainland.json'));
const allDay = new BusinessCalendar(loadShipped('24x7.json'));

/** An instant written as local time in a zone: at('2026-03-13 18:30') in Asia/Shanghai. */
function at(local: string, zone = 'Asia/Shanghai'): Date {
  const dt = DateTime.fromFormat(local, 'yyyy-MM-dd HH:mm', { zone });
  if (!dt.isValid) throw new Error(`bad test time ${local}`);
  return dt.toJSDate();
}

/** The local time of an instant, for readable assertions. */
function local(t: Date, zone = 'Asia/Shanghai'): string {
  return DateTime.fromJSDate(t, { zone }).toFormat('yyyy-MM-dd HH:mm ccc');
}

function week(
  periods: CalendarDefinition['week']['mon'],
  overrides: Partial<CalendarDefinition['week']> = {},
): CalendarDefinition['week'] {
  return {
    mon: periods,
    tue: periods,
    wed: periods,
    thu: periods,
    fri: periods,
    sat: [],
    sun: [],
    ...overrides,
  };
}

function codeOf(run: () => unknown): { code?: string; path?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CalendarError) return { code: error.code, path: error.path };
    throw error;
  }
  return {};
}

describe('shipped calendars', () => {
  it('R7: cn-mainland has 248 working days in 2026 (261 weekdays − 19 holidays + 6 make-up days)', () => {
    const hours = cn.workingMsBetween(at('2026-01-01 00:00'), at('2027-01-01 00:00')) / HOUR;
    expect(hours).toBe(248 * 7.5);
  });

  it('R7: 24x7 is always working', () => {
    const a = at('2026-10-01 03:17');
    expect(allDay.isWorkingTime(a)).toBe(true);
    expect(allDay.nextWorkingInstant(a)).toEqual(a);
    expect(allDay.workingMsBetween(a, at('2026-10-08 03:17'))).toBe(7 * 24 * HOUR);
  });
});

describe('R5–R7 on the cn-mainland calendar (Asia/Shanghai)', () => {
  it('R7: a request at 18:30 Friday is promised by Monday 09:00 + 1 working day = Tuesday 09:00', () => {
    const friday = at('2026-03-13 18:30');
    expect(cn.isWorkingTime(friday)).toBe(false);
    expect(local(cn.nextWorkingInstant(friday))).toBe('2026-03-16 09:00 Mon');
    expect(local(cn.addWallOrWorking(friday, 'P1D', { workingTime: true }))).toBe('2026-03-17 09:00 Tue');
    // The same promise as working hours ends at Monday's close: equal working time, earlier instant.
    expect(local(cn.addWallOrWorking(friday, 'PT7H30M', { workingTime: true }))).toBe('2026-03-16 18:00 Mon');
  });

  it('R7: a start inside the lunch break counts from 13:30', () => {
    const lunch = at('2026-03-11 12:30');
    expect(cn.isWorkingTime(lunch)).toBe(false);
    expect(local(cn.nextWorkingInstant(lunch))).toBe('2026-03-11 13:30 Wed');
    expect(local(cn.addWorkingTime(lunch, HOUR))).toBe('2026-03-11 14:30 Wed');
    expect(cn.workingMsBetween(lunch, at('2026-03-11 13:30'))).toBe(0);
  });

  it('R7: a start on a public holiday counts from the first working day after it (National Day → 8 Oct)', () => {
    const holiday = at('2026-10-01 10:00');
    expect(cn.isWorkingTime(holiday)).toBe(false);
    expect(local(cn.nextWorkingInstant(holiday))).toBe('2026-10-08 09:00 Thu');
    expect(local(cn.addWorkingTime(holiday, 2 * HOUR))).toBe('2026-10-08 11:00 Thu');
  });

  it('R7: a make-up workday on a Sunday (2026-09-20) is working time', () => {
    expect(cn.isWorkingTime(at('2026-09-20 10:00'))).toBe(true);
    expect(cn.isWorkingTime(at('2026-09-13 10:00'))).toBe(false); // an ordinary Sunday
    expect(local(cn.addWorkingTime(at('2026-09-18 17:00'), 2 * HOUR))).toBe('2026-09-20 10:00 Sun');
    expect(local(cn.addWallOrWorking(at('2026-09-20 10:00'), 'P1D', { workingTime: true }))).toBe(
      '2026-09-21 10:00 Mon',
    );
  });

  it('R7: exactly at a period end is not working time; a deadline that uses up a period is that end', () => {
    expect(cn.isWorkingTime(at('2026-03-11 12:00'))).toBe(false);
    expect(local(cn.nextWorkingInstant(at('2026-03-11 12:00')))).toBe('2026-03-11 13:30 Wed');
    expect(local(cn.nextWorkingInstant(at('2026-03-13 18:00')))).toBe('2026-03-16 09:00 Mon');
    expect(local(cn.addWorkingTime(at('2026-03-11 11:00'), HOUR))).toBe('2026-03-11 12:00 Wed');
    expect(local(cn.addWorkingTime(at('2026-03-11 11:00'), HOUR + 1))).toBe('2026-03-11 13:30 Wed');
    expect(cn.addWorkingTime(at('2026-03-11 11:00'), HOUR + 1).getTime() - at('2026-03-11 13:30').getTime()).toBe(1);
  });

  it('R7: exactly at a period start is working time, and adding 0 returns the start itself', () => {
    const opening = at('2026-03-11 13:30');
    expect(cn.isWorkingTime(opening)).toBe(true);
    expect(cn.nextWorkingInstant(opening)).toEqual(opening);
    expect(cn.addWorkingTime(opening, 0)).toEqual(opening);
    const evening = at('2026-03-11 20:00');
    expect(cn.addWorkingTime(evening, 0)).toEqual(evening);
  });

  it('R7: an interval spanning a weekend and a holiday counts only working hours', () => {
    // Qingming: Sat 4 – Mon 6 April. Friday 17:00 → Tuesday 10:00 is 1 h + 1 h.
    expect(cn.workingMsBetween(at('2026-04-03 17:00'), at('2026-04-07 10:00'))).toBe(2 * HOUR);
    // Mid-Autumn: Fri 25 – Sun 27 September.
    expect(cn.workingMsBetween(at('2026-09-24 17:00'), at('2026-09-28 10:00'))).toBe(2 * HOUR);
    expect(cn.workingMsBetween(at('2026-09-28 10:00'), at('2026-09-24 17:00'))).toBe(0);
  });

  it('R5: instant channels answer within 2 working hours: Friday 17:00 → Monday 10:00', () => {
    const deadline = cn.addWallOrWorking(at('2026-03-13 17:00'), 'PT2H', { workingTime: true });
    expect(local(deadline)).toBe('2026-03-16 10:00 Mon');
  });

  it('R5: low urgency, 3 working days, crosses National Day and lands on the make-up Saturday', () => {
    const deadline = cn.addWallOrWorking(at('2026-09-30 10:00'), 'P3D', { workingTime: true });
    expect(local(deadline)).toBe('2026-10-10 10:00 Sat');
  });

  it('R5: urgent response 2 h and work-order acknowledgement 4 h are wall-clock time', () => {
    const friday = at('2026-03-13 17:00');
    expect(local(cn.addWallOrWorking(friday, 'PT2H', { workingTime: false }))).toBe('2026-03-13 19:00 Fri');
    expect(local(cn.addWallOrWorking(friday, 'PT4H', { workingTime: false }))).toBe('2026-03-13 21:00 Fri');
  });

  it('R6: urgent resolution ≤ 24 h wall-clock; routine repair 3 working days over Spring Festival', () => {
    const start = at('2026-02-13 15:00'); // Friday before Spring Festival
    expect(local(cn.addWallOrWorking(start, 'PT24H', { workingTime: false }))).toBe('2026-02-14 15:00 Sat');
    // Sat 14 Feb is a make-up workday, then nine days off, Tue 24 and Wed 25 are working days.
    expect(local(cn.addWallOrWorking(start, 'P3D', { workingTime: true }))).toBe('2026-02-25 15:00 Wed');
  });

  it('R6: a tighter SOP target in working time mixes days and hours (P1DT2H)', () => {
    const start = at('2026-03-11 16:00');
    // Thursday 16:00, then 2 working hours: 16:00–18:00 Thursday.
    expect(local(cn.addWallOrWorking(start, 'P1DT2H', { workingTime: true }))).toBe('2026-03-12 18:00 Thu');
  });

  it('R6: on the 24x7 calendar working time is elapsed time', () => {
    const start = at('2026-10-01 20:15');
    expect(allDay.addWorkingTime(start, 24 * HOUR).getTime() - start.getTime()).toBe(24 * HOUR);
    expect(local(allDay.addWallOrWorking(start, 'P3D', { workingTime: true }))).toBe('2026-10-04 20:15 Sun');
  });

  it('R5: a working week (P1W) is the regular week’s working days', () => {
    const start = at('2026-03-11 10:00');
    expect(local(cn.addWallOrWorking(start, 'P1W', { workingTime: true }))).toBe('2026-03-18 10:00 Wed');
    expect(local(allDay.addWallOrWorking(start, 'P1W', { workingTime: true }))).toBe('2026-03-18 10:00 Wed');
  });

  it('R7: when the target day closes earlier than the start’s clock time, the deadline is its close', () => {
    const shortFriday = new BusinessCalendar({
      key: 'short-friday',
      name: 'short Friday',
      week: week([{ start: '09:00', end: '18:00' }], { fri: [{ start: '09:00', end: '16:00' }] }),
    });
    const thursday = at('2026-03-12 17:00');
    expect(local(shortFriday.addWallOrWorking(thursday, 'P1D', { workingTime: true }))).toBe('2026-03-13 16:00 Fri');
    const lateOpening = new BusinessCalendar({
      key: 'late-opening',
      name: 'late opening',
      week: week([{ start: '08:00', end: '17:00' }], { fri: [{ start: '10:00', end: '17:00' }] }),
    });
    expect(
      local(lateOpening.addWallOrWorking(at('2026-03-12 08:30'), 'P1D', { workingTime: true })),
    ).toBe('2026-03-13 10:00 Fri');
  });

  it('R7: a workday without periods takes the regular week’s hours; with periods its own', () => {
    const calendar = new BusinessCalendar({
      key: 'eve',
      name: { 'zh-CN': '除夕半天', en: 'half day' },
      week: week([{ start: '09:00', end: '18:00' }]),
      workdays: [{ date: '2026-03-14' }, { date: '2026-03-13', periods: [{ start: '09:00', end: '12:00' }] }],
    });
    expect(calendar.workingMsBetween(at('2026-03-13 00:00'), at('2026-03-15 00:00'))).toBe(12 * HOUR);
  });
});

describe('R7: DST-correct working time (Europe/Berlin)', () => {
  const berlin = 'Europe/Berlin';
  const nightShift = new BusinessCalendar({
    key: 'night',
    name: 'night shift',
    timeZone: berlin,
    week: week([], { sun: [{ start: '00:30', end: '04:00' }], sat: [{ start: '02:30', end: '06:00' }] }),
    workdays: [{ date: '2026-03-29', periods: [{ start: '00:30', end: '04:00' }, { start: '04:00', end: '06:00' }] }],
  });

  it('R7: a night period loses the hour skipped in spring and gains the hour repeated in autumn', () => {
    // 29 March: 00:30–06:00 wall, 02:00–03:00 does not exist: 4.5 h.
    expect(nightShift.workingMsBetween(at('2026-03-29 00:00', berlin), at('2026-03-30 00:00', berlin))).toBe(
      4.5 * HOUR,
    );
    // 25 October (Sunday): 00:30–04:00 wall, 02:00–03:00 happens twice: 4.5 h.
    expect(nightShift.workingMsBetween(at('2026-10-25 00:00', berlin), at('2026-10-26 00:00', berlin))).toBe(
      4.5 * HOUR,
    );
  });

  it('R7: a period starting inside the spring gap starts at the jump', () => {
    const spring = new BusinessCalendar({
      key: 'gap',
      name: 'gap',
      timeZone: berlin,
      week: week([], { sun: [{ start: '02:30', end: '06:00' }] }),
    });
    const jump = new Date('2026-03-29T01:00:00Z'); // 03:00 CEST
    expect(spring.nextWorkingInstant(new Date('2026-03-28T23:00:00Z'))).toEqual(jump);
    expect(spring.isWorkingTime(new Date(jump.getTime() - 1))).toBe(false);
    expect(spring.addWorkingTime(jump, 3 * HOUR)).toEqual(new Date('2026-03-29T04:00:00Z'));
  });

  it('R7: a repeated autumn hour counts from its first occurrence', () => {
    const autumn = new BusinessCalendar({
      key: 'repeat',
      name: 'repeat',
      timeZone: berlin,
      week: week([], { sun: [{ start: '02:30', end: '03:30' }] }),
    });
    // First 02:30 is 00:30Z (CEST); 03:30 CET is 02:30Z: two hours.
    expect(autumn.nextWorkingInstant(new Date('2026-10-25T00:00:00Z'))).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(autumn.workingMsBetween(new Date('2026-10-24T00:00:00Z'), new Date('2026-10-26T00:00:00Z'))).toBe(
      2 * HOUR,
    );
  });

  it('R6: wall-clock P1D keeps the local time across DST, PT24H keeps the elapsed time', () => {
    const calendar = new BusinessCalendar({ key: 'b', name: 'b', timeZone: berlin, week: week([]) });
    const saturday = at('2026-03-28 12:00', berlin);
    expect(local(calendar.addWallOrWorking(saturday, 'P1D', { workingTime: false }), berlin)).toBe(
      '2026-03-29 12:00 Sun',
    );
    expect(local(calendar.addWallOrWorking(saturday, 'PT24H', { workingTime: false }), berlin)).toBe(
      '2026-03-29 13:00 Sun',
    );
  });

  it('R7: a working day (P1D) across the DST change keeps the clock time, not 24 hours', () => {
    const sevenDays = new BusinessCalendar({
      key: 'b7',
      name: 'b7',
      timeZone: berlin,
      week: week([{ start: '00:00', end: '24:00' }], {
        sat: [{ start: '00:00', end: '24:00' }],
        sun: [{ start: '00:00', end: '24:00' }],
      }),
    });
    const saturday = at('2026-03-28 12:00', berlin);
    const sunday = sevenDays.addWallOrWorking(saturday, 'P1D', { workingTime: true });
    expect(local(sunday, berlin)).toBe('2026-03-29 12:00 Sun');
    expect(sunday.getTime() - saturday.getTime()).toBe(23 * HOUR);
    expect(sevenDays.workingMsBetween(saturday, sunday)).toBe(23 * HOUR);
  });
});

describe('R7: errors have stable codes', () => {
  const base: CalendarDefinition = { key: 'x', name: 'x', week: week([{ start: '09:00', end: '17:00' }]) };

  it('R7: invalid definitions name the failing path', () => {
    const cases: [unknown, string][] = [
      [{ ...base, week: week([{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }]) }, '/week/mon/1'],
      [{ ...base, week: week([{ start: '12:00', end: '09:00' }]) }, '/week/mon/0'],
      [{ ...base, week: week([{ start: '9:00', end: '12:00' }]) }, '/week/mon/0/start'],
      [{ ...base, timeZone: 'Mars/Olympus' }, '/timeZone'],
      [{ ...base, holidays: ['2026-02-30'] }, '/holidays/0'],
      [{ ...base, holidays: ['2026-10-10'], workdays: [{ date: '2026-10-10' }] }, '/workdays/0/date'],
      [{ ...base, week: week([]), workdays: [{ date: '2026-10-10' }] }, '/workdays/0'],
      [{ ...base, extra: true }, ''],
    ];
    for (const [definition, path] of cases) {
      expect(codeOf(() => new BusinessCalendar(definition as CalendarDefinition))).toEqual({
        code: 'LD_CALENDAR_INVALID',
        path,
      });
    }
  });

  it('R7: durations that are not ISO 8601, negative, or months in working time are refused', () => {
    const start = at('2026-03-11 10:00');
    for (const text of ['', 'P', 'PT', '2h', 'PT-2H', '-P1D', 'P1.5D', 'P1Q']) {
      expect(codeOf(() => cn.addWallOrWorking(start, text, { workingTime: true })).code, text).toBe(
        'LD_SLA_INVALID_DURATION',
      );
    }
    expect(codeOf(() => cn.addWallOrWorking(start, 'P1M', { workingTime: true })).code).toBe(
      'LD_SLA_UNSUPPORTED_WORKING_UNIT',
    );
    expect(local(cn.addWallOrWorking(start, 'P1M', { workingTime: false }))).toBe('2026-04-11 10:00 Sat');
    expect(local(cn.addWallOrWorking(start, 'PT1.5H', { workingTime: true }))).toBe('2026-03-11 11:30 Wed');
  });

  it('R7: bad arguments and a calendar without working time are refused, not looped on', () => {
    const start = at('2026-03-11 10:00');
    expect(codeOf(() => cn.addWorkingTime(start, -1)).code).toBe('LD_SLA_INVALID_ARGUMENT');
    expect(codeOf(() => cn.addWorkingTime(start, 0.5)).code).toBe('LD_SLA_INVALID_ARGUMENT');
    expect(codeOf(() => cn.isWorkingTime(new Date(Number.NaN))).code).toBe('LD_SLA_INVALID_ARGUMENT');
    const never = new BusinessCalendar({
      key: 'never',
      name: 'never',
      week: week([]),
      workdays: [{ date: '2026-03-14', periods: [{ start: '09:00', end: '10:00' }] }],
    });
    expect(local(never.addWorkingTime(start, HOUR))).toBe('2026-03-14 10:00 Sat');
    expect(codeOf(() => never.addWorkingTime(start, HOUR + 1)).code).toBe('LD_CALENDAR_NO_WORKING_TIME');
    expect(codeOf(() => never.nextWorkingInstant(at('2026-03-14 10:00'))).code).toBe('LD_CALENDAR_NO_WORKING_TIME');
    expect(never.addWorkingTime(start, 0)).toEqual(start);
  });
});

// ---------------------------------------------------------------------------------------------
// Minute-by-minute oracle. It shares nothing with the engine but luxon's "what does the wall
// clock show at this instant": each minute of a window is labelled with its local date and wall
// time, a period [s, e) on date D covers the minutes from the first minute of D whose wall time
// is ≥ s to the first whose wall time is ≥ e (or the end of D), and everything else is counted by
// walking the minutes.
// ---------------------------------------------------------------------------------------------

interface Scenario {
  readonly zone: string;
  readonly from: string;
  readonly to: string;
}

interface ZoneWindow {
  readonly first: number;
  readonly minutes: number;
  readonly wall: Int16Array;
  /** Contiguous runs of minutes per local date. */
  readonly dates: readonly { iso: string; weekday: number; begin: number; end: number }[];
}

const SCENARIOS: readonly Scenario[] = [
  { zone: 'Europe/Berlin', from: '2026-03-22', to: '2026-04-06' }, // spring forward 29 Mar
  { zone: 'Europe/Berlin', from: '2026-10-18', to: '2026-11-02' }, // fall back 25 Oct
  { zone: 'America/New_York', from: '2026-10-26', to: '2026-11-10' }, // fall back 1 Nov
  { zone: 'Australia/Lord_Howe', from: '2026-03-30', to: '2026-04-14' }, // 30-minute fall back 5 Apr
  { zone: 'Asia/Shanghai', from: '2026-09-16', to: '2026-10-14' }, // National Day
];

const windows = new Map<Scenario, ZoneWindow>();

function zoneWindow(scenario: Scenario): ZoneWindow {
  const cached = windows.get(scenario);
  if (cached) return cached;
  const first = DateTime.fromISO(scenario.from, { zone: scenario.zone }).startOf('day').toMillis();
  const last = DateTime.fromISO(scenario.to, { zone: scenario.zone }).startOf('day').toMillis();
  const minutes = (last - first) / MINUTE;
  const wall = new Int16Array(minutes);
  const dates: { iso: string; weekday: number; begin: number; end: number }[] = [];
  for (let i = 0; i < minutes; i++) {
    const dt = DateTime.fromMillis(first + i * MINUTE, { zone: scenario.zone });
    wall[i] = dt.hour * 60 + dt.minute;
    const iso = dt.toISODate() as string;
    const current = dates[dates.length - 1];
    if (current?.iso === iso) current.end = i + 1;
    else dates.push({ iso, weekday: dt.weekday, begin: i, end: i + 1 });
  }
  const window = { first, minutes, wall, dates };
  windows.set(scenario, window);
  return window;
}

const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

class Oracle {
  readonly working: Uint8Array;

  constructor(
    readonly window: ZoneWindow,
    definition: CalendarDefinition,
  ) {
    this.working = new Uint8Array(window.minutes);
    const holidays = new Set((definition.holidays ?? []).map((h) => (typeof h === 'string' ? h : h.date)));
    const workdays = new Map((definition.workdays ?? []).map((w) => [w.date, w.periods]));
    const standard = WEEKDAY_KEYS.map((key) => definition.week[key]).find((periods) => periods.length > 0);
    for (const date of window.dates) {
      const periods = workdays.has(date.iso)
        ? (workdays.get(date.iso) ?? standard ?? [])
        : holidays.has(date.iso)
          ? []
          : definition.week[WEEKDAY_KEYS[date.weekday - 1]];
      for (const { start, end } of periods) {
        const from = this.#firstAtOrAfter(date, toMinutes(start));
        const to = this.#firstAtOrAfter(date, toMinutes(end));
        this.working.fill(1, from, Math.max(from, to));
      }
    }
  }

  #firstAtOrAfter(date: { begin: number; end: number }, wallMinute: number): number {
    for (let i = date.begin; i < date.end; i++) if (this.window.wall[i] >= wallMinute) return i;
    return date.end;
  }

  #index(t: number): number {
    return Math.floor((t - this.window.first) / MINUTE);
  }

  #start(i: number): number {
    return this.window.first + i * MINUTE;
  }

  isWorking(t: number): boolean {
    return this.working[this.#index(t)] === 1;
  }

  next(t: number): number | undefined {
    for (let i = this.#index(t); i < this.window.minutes; i++) {
      if (this.working[i]) return Math.max(t, this.#start(i));
    }
    return undefined;
  }

  between(a: number, b: number): number {
    let sum = 0;
    for (let i = this.#index(a); i < this.window.minutes && this.#start(i) < b; i++) {
      if (this.working[i]) sum += Math.min(b, this.#start(i + 1)) - Math.max(a, this.#start(i));
    }
    return Math.max(0, sum);
  }

  add(a: number, ms: number): number | undefined {
    if (ms === 0) return a;
    let remaining = ms;
    let t = a;
    for (let i = this.#index(a); i < this.window.minutes; i++, t = this.#start(i)) {
      if (!this.working[i]) continue;
      const available = this.#start(i + 1) - t;
      if (available >= remaining) return t + remaining;
      remaining -= available;
    }
    return undefined;
  }

  /** N working dates later at the same wall-clock time, kept inside the target date's hours. */
  sameClockLater(a: number, days: number): number | undefined {
    const start = this.next(a);
    if (start === undefined) return undefined;
    const i = this.#index(start);
    const clock = this.window.wall[i] * MINUTE + (start - this.#start(i));
    let d = this.window.dates.findIndex((date) => i >= date.begin && i < date.end);
    for (let found = 0; found < days; ) {
      d++;
      if (d >= this.window.dates.length) return undefined;
      const date = this.window.dates[d];
      if (this.working.subarray(date.begin, date.end).includes(1)) found++;
    }
    const date = this.window.dates[d];
    let target = this.#start(date.end);
    for (let j = date.begin; j < date.end; j++) {
      if (this.window.wall[j] * MINUTE + MINUTE > clock) {
        target = this.#start(j) + Math.max(0, clock - this.window.wall[j] * MINUTE);
        break;
      }
    }
    let lastEnd = 0;
    for (let j = date.begin; j < date.end; j++) {
      if (!this.working[j]) continue;
      if (this.#start(j + 1) > target) return Math.max(target, this.#start(j));
      lastEnd = this.#start(j + 1);
    }
    return lastEnd;
  }
}

// --- arbitraries -------------------------------------------------------------------------------

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Up to three sorted, non-overlapping (possibly touching) periods, biased towards DST hours. */
const periodsArb = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 1440 }),
      fc.constantFrom(0, 60, 90, 120, 150, 180, 210, 540, 720, 810, 1080, 1440),
    ),
    { maxLength: 6 },
  )
  .map((points) => {
    const sorted = [...points].sort((x, y) => x - y);
    const periods: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      if (sorted[i] < sorted[i + 1]) periods.push({ start: clock(sorted[i]), end: clock(sorted[i + 1]) });
    }
    return periods;
  });

function calendarArb(scenario: Scenario): fc.Arbitrary<CalendarDefinition> {
  const isoDates = zoneWindow(scenario).dates.map((date) => date.iso);
  return fc
    .record({
      week: fc.record({
        mon: periodsArb,
        tue: periodsArb,
        wed: periodsArb,
        thu: periodsArb,
        fri: periodsArb,
        sat: periodsArb,
        sun: periodsArb,
      }),
      holidays: fc.subarray(isoDates, { maxLength: 6 }),
      namedHolidays: fc.boolean(),
      workdays: fc.subarray(isoDates, { maxLength: 4 }),
      workdayPeriods: fc.array(fc.option(periodsArb.filter((p) => p.length > 0)), { minLength: 4, maxLength: 4 }),
    })
    .map(({ week: regular, holidays, namedHolidays, workdays, workdayPeriods }) => {
      const hasStandardDay = Object.values(regular).some((periods) => periods.length > 0);
      return {
        key: 'random',
        name: 'random',
        timeZone: scenario.zone,
        week: regular,
        holidays: holidays
          .filter((date) => !workdays.includes(date))
          .map((date) => (namedHolidays ? { date, name: 'holiday' } : date)),
        workdays: workdays.map((date, i) => {
          const periods = workdayPeriods[i] ?? (hasStandardDay ? null : [{ start: '10:00', end: '16:00' }]);
          return periods ? { date, periods } : { date };
        }),
      };
    });
}

/** An instant inside the window, away from its first and last day; whole minutes or any ms. */
function instantArb(window: ZoneWindow): fc.Arbitrary<number> {
  const from = window.first + 1440 * MINUTE;
  const span = (window.minutes - 3 * 1440) * MINUTE;
  return fc.oneof(
    fc.integer({ min: 0, max: span / MINUTE }).map((m) => from + m * MINUTE),
    fc.integer({ min: 0, max: span }).map((ms) => from + ms),
  );
}

const durationArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 3 * 1440 }).map((m) => m * MINUTE),
  fc.integer({ min: 1, max: 3 * 24 * HOUR }),
);

const caseArb = fc.constantFrom(...SCENARIOS).chain((scenario) => {
  const window = zoneWindow(scenario);
  return fc.record({
    scenario: fc.constant(scenario),
    definition: calendarArb(scenario),
    queries: fc.array(
      fc.record({ a: instantArb(window), b: instantArb(window), ms: durationArb, days: fc.nat(3) }),
      { minLength: 8, maxLength: 8 },
    ),
  });
});

function prepare({ scenario, definition }: { scenario: Scenario; definition: CalendarDefinition }) {
  return { calendar: new BusinessCalendar(definition), oracle: new Oracle(zoneWindow(scenario), definition) };
}

const RUNS = { numRuns: 120 };

describe('R7: property tests against a minute-by-minute oracle (random calendars, DST zones)', () => {
  it('R7: isWorkingTime agrees with the oracle', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const { calendar, oracle } = prepare(input);
        for (const { a } of input.queries) {
          expect(calendar.isWorkingTime(new Date(a))).toBe(oracle.isWorking(a));
        }
      }),
      RUNS,
    );
  });

  it('R7: nextWorkingInstant agrees with the oracle', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const { calendar, oracle } = prepare(input);
        for (const { a } of input.queries) {
          const expected = oracle.next(a);
          if (expected === undefined) continue; // beyond the oracle's window
          expect(calendar.nextWorkingInstant(new Date(a)).getTime()).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('R7: workingMsBetween agrees with the oracle', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const { calendar, oracle } = prepare(input);
        for (const { a, b } of input.queries) {
          expect(calendar.workingMsBetween(new Date(a), new Date(b))).toBe(b <= a ? 0 : oracle.between(a, b));
        }
      }),
      RUNS,
    );
  });

  it('R5: addWorkingTime agrees with the oracle', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const { calendar, oracle } = prepare(input);
        for (const { a, ms } of input.queries) {
          const expected = oracle.add(a, ms);
          if (expected === undefined) continue;
          expect(calendar.addWorkingTime(new Date(a), ms).getTime()).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('R5: addWallOrWorking in working time (PnDTnM) agrees with the oracle', () => {
    fc.assert(
      fc.property(caseArb, (input) => {
        const { calendar, oracle } = prepare(input);
        for (const { a, ms, days } of input.queries) {
          const minutes = Math.floor(ms / MINUTE);
          const afterDays = days > 0 ? oracle.sameClockLater(a, days) : a;
          const expected = afterDays === undefined ? undefined : oracle.add(afterDays, minutes * MINUTE);
          if (expected === undefined) continue;
          const actual = calendar.addWallOrWorking(new Date(a), `P${days}DT${minutes}M`, { workingTime: true });
          expect(actual.getTime()).toBe(expected);
        }
      }),
      RUNS,
    );
  });
});

describe('R7: algebraic properties over the whole 2026 cn-mainland calendar', () => {
  const year = { min: at('2026-01-01 00:00').getTime(), max: at('2026-12-20 00:00').getTime() };
  const instant2026 = fc.integer(year);
  const upToTenWorkingDays = fc.integer({ min: 0, max: 10 * 7.5 * HOUR });

  it('R7: adding working time then measuring it gives it back, and no earlier instant does', () => {
    fc.assert(
      fc.property(instant2026, upToTenWorkingDays, (a, ms) => {
        const end = cn.addWorkingTime(new Date(a), ms);
        expect(cn.workingMsBetween(new Date(a), end)).toBe(ms);
        if (ms > 0) expect(cn.workingMsBetween(new Date(a), new Date(end.getTime() - 1))).toBe(ms - 1);
      }),
      { numRuns: 500 },
    );
  });

  it('R7: working time is additive over consecutive intervals', () => {
    fc.assert(
      fc.property(instant2026, instant2026, instant2026, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q).map((t) => new Date(t));
        expect(cn.workingMsBetween(a, c)).toBe(cn.workingMsBetween(a, b) + cn.workingMsBetween(b, c));
      }),
      { numRuns: 500 },
    );
  });

  it('R7: the next working instant is working time with no working time before it', () => {
    fc.assert(
      fc.property(instant2026, (t) => {
        const next = cn.nextWorkingInstant(new Date(t));
        expect(cn.isWorkingTime(next)).toBe(true);
        expect(cn.workingMsBetween(new Date(t), next)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
