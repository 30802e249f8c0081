/**
 * Working-time arithmetic on the shipped cn-mainland calendar (2026 with its holidays and make-up
 * workdays): random starts across the year, durations up to 10 working days, random intervals of
 * the same reach. The calendar is built once, as the engine does, so dates are resolved once and
 * then come from its cache.
 *
 * Target: ≥ 200,000 additions/s and ≥ 200,000 between/s on one core, so re-computing the deadlines
 * of 100,000 open cases after a calendar edit takes well under a second.
 */
import { readFileSync } from 'node:fs';
import { BusinessCalendar } from '../../engine/sla/calendar.ts';
import type { CalendarDefinition } from '../../schemas/calendar.schema.ts';
import { seededRandom } from '../../engine/analytics/stats.ts';

export const name = 'sla-calendar';

const SAMPLES = 100_000;
const ROUNDS = 5;
const WORKING_DAY_MS = 7.5 * 3_600_000;

export async function run(): Promise<{ additionsPerSec: number; betweenPerSec: number }> {
  const url = new URL('../../definitions/calendars/cn-mainland.json', import.meta.url);
  const calendar = new BusinessCalendar(JSON.parse(readFileSync(url, 'utf8')) as CalendarDefinition);

  const random = seededRandom(20260101);
  const yearStart = Date.parse('2026-01-01T00:00:00+08:00');
  const yearMs = Date.parse('2027-01-01T00:00:00+08:00') - yearStart;
  const starts = Array.from({ length: SAMPLES }, () => new Date(yearStart + Math.floor(random() * yearMs)));
  const durations = Array.from({ length: SAMPLES }, () => Math.floor(random() * 10 * WORKING_DAY_MS));
  const ends = starts.map((start, i) => new Date(start.getTime() + Math.floor(durations[i] * 2.5)));

  let checksum = 0;
  const additions = () => {
    for (let i = 0; i < SAMPLES; i++) checksum += calendar.addWorkingTime(starts[i], durations[i]).getTime();
  };
  const between = () => {
    for (let i = 0; i < SAMPLES; i++) checksum += calendar.workingMsBetween(starts[i], ends[i]);
  };

  additions(); // warm-up: JIT and the calendar's date cache
  between();
  const additionsPerSec = perSecond(additions);
  const betweenPerSec = perSecond(between);
  if (checksum === 0) throw new Error('unreachable: keeps the work observable');
  return { additionsPerSec, betweenPerSec };
}

/** Best of ROUNDS, in operations per second. */
function perSecond(work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return Math.round((SAMPLES / best) * 1000);
}

