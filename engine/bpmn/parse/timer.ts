import type { TimerDefinition } from '../model.ts';

/**
 * ISO 8601 as Camunda 8 accepts it in timers. Parsing stays strict at deploy so a typo is a
 * deploy error the modeller sees, not a timer that silently never fires.
 */
const DURATION = /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?(?:\[([^\]]+)\])?$/;
const CYCLE = /^R(\d*)\/(.+)$/;

const EXAMPLES: Record<TimerDefinition['kind'], string> = {
  duration: 'a duration such as PT2H or P3D',
  date: 'a date-time with offset such as 2026-05-01T09:00:00+08:00',
  cycle: 'a cycle such as R3/PT1H or R/PT10M',
};

/** Why a literal (non-`=`) timer value is invalid for its kind, or null when it is valid. */
export function timerProblem(kind: TimerDefinition['kind'], text: string): string | null {
  const problem = kind === 'duration' ? durationProblem(text) : kind === 'date' ? dateTimeProblem(text) : cycleProblem(text);
  return problem === null ? null : `${problem}; expected ${EXAMPLES[kind]} or a FEEL expression starting with "="`;
}

function durationProblem(text: string): string | null {
  return DURATION.test(text) ? null : `"${text}" is not an ISO 8601 duration`;
}

function dateTimeProblem(text: string): string | null {
  const match = DATE_TIME.exec(text);
  if (!match) return `"${text}" is not an ISO 8601 date-time`;
  const [, year, month, day, hour, minute, second, offset, zone] = match;
  if (!offset) return `"${text}" has no UTC offset, so the moment it means depends on the server's time zone`;
  if (!isRealDate(Number(year), Number(month), Number(day))) return `"${text}" is not a calendar date`;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return `"${text}" is not a valid time of day`;
  if (zone !== undefined && !isTimeZone(zone)) return `"${zone}" in "${text}" is not a known time zone`;
  return null;
}

function cycleProblem(text: string): string | null {
  if (/^\S+(\s+\S+){4,6}$/.test(text)) return `"${text}" looks like a cron expression, which is not supported`;
  const match = CYCLE.exec(text);
  if (!match) return `"${text}" is not an ISO 8601 repeating interval`;
  const parts = match[2].split('/');
  // R/PT1H (interval only) or R/2026-05-01T09:00:00+08:00/PT1H (start, then interval)
  const interval = parts.length === 1 ? parts[0] : parts.length === 2 ? parts[1] : undefined;
  if (interval === undefined || !DURATION.test(interval)) return `"${text}" has no valid ISO 8601 interval`;
  if (parts.length === 2 && dateTimeProblem(parts[0]) !== null) return `the start of "${text}" is not a date-time with offset`;
  if (!/[1-9]/.test(interval)) return `"${text}" repeats every zero seconds`;
  return null;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
