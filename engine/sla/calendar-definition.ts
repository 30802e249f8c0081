import { Ajv, type ValidateFunction } from 'ajv';
import { type CalendarDefinition, calendarSchema } from '../../schemas/calendar.schema.ts';
import { CalendarError } from './calendar-errors.ts';
import { dayNumberOf, ZoneClock } from './calendar-zone.ts';

/** A period as minutes of the local day, [start, end), end ≤ 1440. */
export type MinutePeriod = readonly [start: number, end: number];

/** A definition checked and reduced to what the arithmetic needs. */
export interface CompiledCalendar {
  readonly key: string;
  readonly zone: ZoneClock;
  /** Index 0 = Monday … 6 = Sunday. */
  readonly week: readonly (readonly MinutePeriod[])[];
  /** Day numbers of holidays. */
  readonly holidays: ReadonlySet<number>;
  /** Day numbers of workdays with their own periods. */
  readonly workdays: ReadonlyMap<number, readonly MinutePeriod[]>;
  /** The last holiday or workday listed; after it only the regular week applies. */
  readonly lastListedDay: number;
  /** Working minutes of the regular week (0 means only listed workdays are worked). */
  readonly weekMinutes: number;
  /** Weekdays with working time: the length of a working week (P1W in working time). */
  readonly workingDaysPerWeek: number;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

let validateSchema: ValidateFunction | undefined;

/**
 * Checks `input` against `schemas/calendar.schema.ts` and the rules the schema cannot express.
 * Throws `CalendarError` LD_CALENDAR_INVALID with a JSON pointer `path` to the first problem.
 */
export function assertCalendarDefinition(input: unknown): asserts input is CalendarDefinition {
  compileCalendar(input as CalendarDefinition);
}

export function compileCalendar(definition: CalendarDefinition): CompiledCalendar {
  validateSchema ??= new Ajv({ allErrors: false, strict: true }).compile(calendarSchema);
  if (!validateSchema(definition)) {
    const [error] = validateSchema.errors ?? [];
    throw invalid(error?.message ?? 'is invalid', error?.instancePath ?? '');
  }

  const timeZone = definition.timeZone ?? DEFAULT_TIME_ZONE;
  let zone: ZoneClock;
  try {
    zone = new ZoneClock(timeZone);
  } catch {
    throw invalid(`"${timeZone}" is not an IANA time zone`, '/timeZone');
  }

  const week = WEEKDAYS.map((day) => toMinutePeriods(definition.week[day], `/week/${day}`));
  const standardDay = week.find((periods) => periods.length > 0);

  let lastListedDay = Number.NEGATIVE_INFINITY;
  const holidays = new Set<number>();
  (definition.holidays ?? []).forEach((holiday, i) => {
    const date = typeof holiday === 'string' ? holiday : holiday.date;
    const path = typeof holiday === 'string' ? `/holidays/${i}` : `/holidays/${i}/date`;
    const day = toDay(date, path);
    holidays.add(day);
    lastListedDay = Math.max(lastListedDay, day);
  });

  const workdays = new Map<number, readonly MinutePeriod[]>();
  (definition.workdays ?? []).forEach((workday, i) => {
    const day = toDay(workday.date, `/workdays/${i}/date`);
    if (workdays.has(day)) throw invalid(`${workday.date} is listed twice`, `/workdays/${i}/date`);
    if (holidays.has(day)) {
      throw invalid(`${workday.date} is both a holiday and a workday`, `/workdays/${i}/date`);
    }
    let periods: readonly MinutePeriod[];
    if (workday.periods) {
      periods = toMinutePeriods(workday.periods, `/workdays/${i}/periods`);
    } else if (standardDay) {
      periods = standardDay;
    } else {
      throw invalid('needs periods: the regular week has no working day to copy', `/workdays/${i}`);
    }
    workdays.set(day, periods);
    lastListedDay = Math.max(lastListedDay, day);
  });

  const periodMinutes = (periods: readonly MinutePeriod[]) =>
    periods.reduce((sum, [start, end]) => sum + end - start, 0);

  return {
    key: definition.key,
    zone,
    week,
    holidays,
    workdays,
    lastListedDay,
    weekMinutes: week.reduce((sum, periods) => sum + periodMinutes(periods), 0),
    workingDaysPerWeek: week.filter((periods) => periods.length > 0).length,
  };
}

function toMinutePeriods(
  periods: readonly { start: string; end: string }[],
  path: string,
): MinutePeriod[] {
  const result: MinutePeriod[] = [];
  periods.forEach(({ start, end }, i) => {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (to <= from) throw invalid(`ends (${end}) before it starts (${start})`, `${path}/${i}`);
    const previous = result[result.length - 1];
    if (previous && from < previous[1]) {
      throw invalid(`starts (${start}) before the previous period ends`, `${path}/${i}`);
    }
    result.push([from, to]);
  });
  return result;
}

function minutesOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

function toDay(date: string, path: string): number {
  const day = dayNumberOf(date);
  if (day === undefined) throw invalid(`${date} is not a calendar date`, path);
  return day;
}

function invalid(message: string, path: string): CalendarError {
  return new CalendarError('LD_CALENDAR_INVALID', `calendar ${path || '/'}: ${message}`, path);
}
