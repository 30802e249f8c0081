import { Duration } from 'luxon';
import { CalendarError } from './calendar-errors.ts';

/** An ISO 8601 duration split into calendar units and an exact time part. */
export interface ParsedDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  /** Hours, minutes and seconds together, in milliseconds. */
  readonly timeMs: number;
}

/**
 * Parses an ISO 8601 duration such as PT2H, P3D, PT30M or P1DT4H (luxon's parser).
 * Negative values are rejected, and fractions are allowed only on hours, minutes and seconds:
 * "1.5 days" has no single meaning once days are working days.
 */
export function parseIsoDuration(text: string): ParsedDuration {
  const duration = Duration.fromISO(text);
  const units = duration.toObject();
  const reject = (why: string) =>
    new CalendarError('LD_SLA_INVALID_DURATION', `"${text}" is not a usable ISO 8601 duration: ${why}`);

  if (!duration.isValid || !/^P(?!T?$)/.test(text)) throw reject('expected e.g. PT2H, P3D, P1DT4H');
  if (units.quarters) throw reject('quarters are not supported');
  for (const [unit, value] of Object.entries(units)) {
    if (value === undefined) continue;
    if (value < 0) throw reject(`negative ${unit}`);
  }
  const whole = (value = 0, unit: string) => {
    if (!Number.isInteger(value)) throw reject(`${unit} must be whole; write the fraction in hours`);
    return value;
  };
  return {
    years: whole(units.years, 'years'),
    months: whole(units.months, 'months'),
    weeks: whole(units.weeks, 'weeks'),
    days: whole(units.days, 'days'),
    timeMs: Math.round(
      (units.hours ?? 0) * 3_600_000 +
        (units.minutes ?? 0) * 60_000 +
        (units.seconds ?? 0) * 1_000 +
        (units.milliseconds ?? 0),
    ),
  };
}
