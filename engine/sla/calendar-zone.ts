import { IANAZone } from 'luxon';

/**
 * Local dates and wall-clock times of one IANA zone, on top of luxon's time-zone database.
 *
 * A local date is a day number: days since 1970-01-01 of the date as written on a wall calendar,
 * so weekday and date arithmetic need no zone. Only turning a (day, wall time) into an instant
 * needs one, and that is where DST is decided: see `instantAt`.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Days since 1970-01-01 of an ISO date "YYYY-MM-DD", or undefined if that date does not exist. */
export function dayNumberOf(isoDate: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  return ms / MS_PER_DAY;
}

/** The ISO date "YYYY-MM-DD" of a day number. */
export function isoDateOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday (1970-01-01, day 0, was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export class ZoneClock {
  readonly #zone: IANAZone;

  /** Throws a plain Error for a name luxon does not know; callers wrap it with a path. */
  constructor(readonly name: string) {
    if (!IANAZone.isValidZone(name)) throw new Error(`unknown IANA time zone "${name}"`);
    this.#zone = IANAZone.create(name) as IANAZone;
  }

  /** UTC offset in milliseconds at instant `t`. */
  offsetMs(t: number): number {
    return this.#zone.offset(t) * MS_PER_MINUTE;
  }

  /** Local wall-clock time of `t` as milliseconds since 1970-01-01T00:00 local. */
  wallMs(t: number): number {
    return t + this.offsetMs(t);
  }

  /**
   * The first instant at which the wall clock of local date `day` shows `msOfDay` or later
   * (`msOfDay` = 24 h gives the start of the next date).
   *
   * This is how a period boundary ("09:00") becomes an instant, and it settles both DST cases
   * the same way a person watching the wall clock would:
   * - a time skipped by a spring-forward gap (02:30 in Berlin on the last Sunday of March)
   *   is reached at the jump itself (03:00 CEST);
   * - a time that occurs twice in an autumn fall-back counts from its first occurrence.
   * Boundaries are therefore monotone in `msOfDay`, and a period lasts as long as it really did
   * (a 01:00–04:00 night shift is 2 h on the spring day and 4 h on the autumn day).
   */
  instantAt(day: number, msOfDay: number): number {
    const wall = day * MS_PER_DAY + msOfDay;
    // Every instant whose wall time equals `wall` lies within [wall - 14 h, wall + 12 h]; the
    // offsets in force there are the candidates (tz rules never change twice in 26 h).
    const offsets = new Set([
      this.offsetMs(wall - 14 * MS_PER_HOUR),
      this.offsetMs(wall),
      this.offsetMs(wall + 12 * MS_PER_HOUR),
    ]);
    let first = Number.POSITIVE_INFINITY;
    for (const offset of offsets) {
      const t = wall - offset;
      if (this.offsetMs(t) === offset && t < first) first = t;
    }
    if (first !== Number.POSITIVE_INFINITY) return first;

    // `wall` falls into a gap: find the jump, the first instant whose wall time is past it.
    let lo = wall - Math.max(...offsets); // wall time before the jump: < wall
    let hi = wall - Math.min(...offsets); // wall time after the jump: >= wall
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wallMs(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}
