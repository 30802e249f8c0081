/**
 * Calendar periods in the analytics time zone: local dates, ISO weeks (Monday first, `2024-W19`)
 * and months (`2024-05`), their [from, to) instants, and the period containing or before a day.
 */
import { LoopdeskError } from '../core/errors.ts';
import { dayOf, dayStart } from './facts.ts';

const DAY = 86_400_000;

/** YYYY-MM-DD of the instant in the analytics time zone. */
export const localDate = (ms: number): string => new Date(dayOf(ms) * DAY).toISOString().slice(0, 10);

export const monthOf = (ms: number): string => localDate(ms).slice(0, 7);

/** ISO 8601 week of a local day number (days since 1970-01-01). */
function isoWeekOfDay(day: number): { year: number; week: number; monday: number } {
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7; // Monday 0
  const monday = day - weekday;
  const thursday = monday + 3;
  const year = new Date(thursday * DAY).getUTCFullYear();
  const jan1 = Math.floor(Date.UTC(year, 0, 1) / DAY);
  return { year, week: Math.floor((thursday - jan1) / 7) + 1, monday };
}

export const weekOf = (ms: number): string => {
  const { year, week } = isoWeekOfDay(dayOf(ms));
  return `${year}-W${String(week).padStart(2, '0')}`;
};

export function weekRange(week: string): { from: number; to: number } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new LoopdeskError('LD_VALIDATION', 400, `${week} is not an ISO week like 2024-W19`, [{ path: '/params/week', message: 'not an ISO week' }]);
  const year = Number(m[1]);
  const n = Number(m[2]);
  // The Monday of week 1 is the Monday of the week holding 4 January.
  const jan4 = Math.floor(Date.UTC(year, 0, 4) / DAY);
  const monday = isoWeekOfDay(jan4).monday + (n - 1) * 7;
  if (n < 1 || n > 53 || isoWeekOfDay(monday).year !== year) {
    throw new LoopdeskError('LD_VALIDATION', 400, `${week} does not exist`, [{ path: '/params/week', message: 'no such week' }]);
  }
  return { from: dayStart(monday), to: dayStart(monday + 7) };
}

export function monthRange(month: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
    throw new LoopdeskError('LD_VALIDATION', 400, `${month} is not a month like 2024-05`, [{ path: '/querystring/month', message: 'not a month' }]);
  }
  const first = Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) / DAY);
  const next = Math.floor(Date.UTC(Number(m[1]), Number(m[2]), 1) / DAY);
  return { from: dayStart(first), to: dayStart(next) };
}

/** The week or month holding the local date `at`, or the last complete one before `now`. */
export function reportPeriod(kind: 'week' | 'month', now: number, at?: string): { label: string; from: number; to: number } {
  if (at) {
    const ms = dayStart(Math.floor(Date.parse(`${at}T00:00:00Z`) / DAY));
    const label = kind === 'week' ? weekOf(ms) : monthOf(ms);
    return { label, ...(kind === 'week' ? weekRange(label) : monthRange(label)) };
  }
  const current = kind === 'week' ? weekRange(weekOf(now)) : monthRange(monthOf(now));
  const previous = current.from - 1;
  const label = kind === 'week' ? weekOf(previous) : monthOf(previous);
  return { label, ...(kind === 'week' ? weekRange(label) : monthRange(label)) };
}

/** The trend bucket of an instant. */
export const bucketLabel = (ms: number, interval: 'week' | 'month') => (interval === 'week' ? weekOf(ms) : monthOf(ms));
export const bucketStart = (label: string, interval: 'week' | 'month') => (interval === 'week' ? weekRange(label).from : monthRange(label).from);
