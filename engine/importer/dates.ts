/**
 * Dates as legacy spreadsheets hold them: 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, 20240501,
 * with or without a time (10:30, 10:30:15, 10时30分), ISO 8601 with a zone, Excel serial numbers
 * (45413 = 2024-05-01, 45413.4375 = 10:30) and the Date objects exceljs makes of date-formatted
 * cells. A time without a zone is wall-clock time in China (+08:00): that is where the cases
 * happened, and the engine's calendars count in Asia/Shanghai.
 */
import { DateTime, FixedOffsetZone } from 'luxon';
import type { Cell } from './read.ts';

/** The zone of times that carry none. */
export const DEFAULT_OFFSET_MINUTES = 8 * 60;
const DEFAULT_ZONE = FixedOffsetZone.instance(DEFAULT_OFFSET_MINUTES);

/** 1970-01-01 as an Excel (1900 date system) serial number. */
const EXCEL_EPOCH_SERIAL = 25569;
const DAY_MS = 86_400_000;
/** Serial numbers from 1920 to 2099: anything else in a date column is not a date. */
const SERIAL_MIN = 7306;
const SERIAL_MAX = 73051;

export interface ParsedWhen {
  /** The instant, for times; for date-only values the instant of midnight in the zone. */
  at: DateTime;
  hasTime: boolean;
}

const DATE_TIME = new RegExp(
  [
    String.raw`^(?<y>\d{4})\s*[-/.年]\s*(?<mo>\d{1,2})\s*[-/.月]\s*(?<d>\d{1,2})\s*[日号]?`,
    String.raw`(?:(?:\s+|T|\s*)(?<h>\d{1,2})\s*`,
    // 10:30, 10:30:15.250 — or 10时, 10时30分, 10点30, 10时30分15秒
    String.raw`(?:[:：](?<mi>\d{1,2})(?:[:：](?<s>\d{1,2})(?:[.,](?<ms>\d{1,3})\d*)?)?|[时時点點](?:\s*(?<cmi>\d{1,2})\s*分?(?:\s*(?<cs>\d{1,2})\s*秒)?)?)`,
    String.raw`\s*(?<zone>Z|[+-]\d{2}:?\d{2})?)?$`,
  ].join(''),
  'i',
);
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

function fromParts(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, zone?: string): DateTime | undefined {
  const z = zone ? (zone.toUpperCase() === 'Z' ? FixedOffsetZone.utcInstance : FixedOffsetZone.parseSpecifier(`UTC${zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`)) : DEFAULT_ZONE;
  if (!z?.isValid) return undefined;
  const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms }, { zone: z });
  return dt.isValid ? dt : undefined;
}

/** A Date made by exceljs: its UTC fields are the wall-clock time written in the cell. */
function fromWallClockDate(d: Date): ParsedWhen | undefined {
  if (Number.isNaN(d.getTime())) return undefined;
  const at = fromParts(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  if (!at) return undefined;
  return { at, hasTime: d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds() + d.getUTCMilliseconds() > 0 };
}

function fromSerial(serial: number): ParsedWhen | undefined {
  if (!Number.isFinite(serial) || serial < SERIAL_MIN || serial > SERIAL_MAX) return undefined;
  // Rounded to the second: Excel stores times as binary fractions of a day.
  const ms = Math.round(((serial - EXCEL_EPOCH_SERIAL) * DAY_MS) / 1000) * 1000;
  return fromWallClockDate(new Date(ms));
}

/** Reads a date or date-time cell; undefined when it is not one. */
export function parseWhen(cell: Cell): ParsedWhen | undefined {
  if (cell === null || typeof cell === 'boolean') return undefined;
  if (cell instanceof Date) return fromWallClockDate(cell);
  if (typeof cell === 'number') return fromSerial(cell);
  const text = cell.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const compact = COMPACT.exec(text);
    if (compact) {
      const at = fromParts(Number(compact[1]), Number(compact[2]), Number(compact[3]));
      return at && { at, hasTime: false };
    }
    return fromSerial(Number(text));
  }
  const g = DATE_TIME.exec(text)?.groups;
  if (g) {
    const hasTime = g.h !== undefined;
    const ms = g.ms ? Number(g.ms.padEnd(3, '0')) : 0;
    const at = fromParts(Number(g.y), Number(g.mo), Number(g.d), Number(g.h ?? 0), Number(g.mi ?? g.cmi ?? 0), Number(g.s ?? g.cs ?? 0), ms, g.zone);
    return at && { at, hasTime };
  }
  // Anything else ISO 8601 luxon understands (week dates, ordinal dates, full zones).
  const iso = DateTime.fromISO(text, { setZone: true, zone: DEFAULT_ZONE });
  return iso.isValid ? { at: iso, hasTime: text.includes('T') || text.includes(':') } : undefined;
}

/** `YYYY-MM-DD` (JSON Schema `format: date`) of the cell's calendar day. */
export function toIsoDate(cell: Cell): string | undefined {
  return parseWhen(cell)?.at.setZone(DEFAULT_ZONE).toISODate() ?? undefined;
}

/** ISO 8601 in +08:00 with seconds (a time with another zone is the same instant shown in +08:00), JSON Schema `date-time`. */
export function toIsoDateTime(cell: Cell): string | undefined {
  return parseWhen(cell)?.at.setZone(DEFAULT_ZONE).toISO({ suppressMilliseconds: true }) ?? undefined;
}

/** Epoch milliseconds (the case's own timestamps). */
export function toEpochMs(cell: Cell): number | undefined {
  return parseWhen(cell)?.at.toMillis();
}

/** An instant as ISO 8601 in +08:00, as exports show times. */
export function isoInChina(ms: number): string {
  return DateTime.fromMillis(ms, { zone: DEFAULT_ZONE }).toISO({ suppressMilliseconds: true }) ?? '';
}

/** An instant as a Date whose UTC fields are its wall-clock time in +08:00 (what exceljs writes into a cell). */
export function wallClockDate(ms: number): Date {
  return new Date(ms + DEFAULT_OFFSET_MINUTES * 60_000);
}
