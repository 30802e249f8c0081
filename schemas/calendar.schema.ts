import type { FromSchema } from 'json-schema-to-ts';

/**
 * A business calendar: the working hours an SLA clock counts (R7). Admins edit calendars as data
 * (`definitions/calendars/*.json`); the engine never hard-codes hours, weekends or holidays.
 *
 * What JSON Schema cannot say is checked when the calendar is built (`engine/sla/calendar.ts`):
 * periods of a day sorted and not overlapping, dates that exist, a known IANA time zone, no date
 * both a holiday and a workday.
 */

const clockTime = {
  type: 'string',
  description: 'Local wall-clock time, 24-hour "HH:MM".',
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
} as const;

const clockTimeOrEndOfDay = {
  type: 'string',
  description: 'Local wall-clock time, 24-hour "HH:MM"; "24:00" is the end of the day.',
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
} as const;

const isoDate = {
  type: 'string',
  description: 'A local calendar date, "YYYY-MM-DD".',
  pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
} as const;

const localizedText = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      properties: {
        'zh-CN': { type: 'string', minLength: 1 },
        en: { type: 'string', minLength: 1 },
      },
      required: ['zh-CN', 'en'],
      additionalProperties: false,
    },
  ],
} as const;

const period = {
  type: 'object',
  description: 'A working period [start, end) in local wall-clock time.',
  properties: { start: clockTime, end: clockTimeOrEndOfDay },
  required: ['start', 'end'],
  additionalProperties: false,
} as const;

const dayPeriods = {
  type: 'array',
  description: 'Working periods of the day in time order; empty means not a working day.',
  items: period,
  maxItems: 48,
} as const;

export const calendarSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Business calendar',
  type: 'object',
  properties: {
    key: {
      type: 'string',
      description: 'Stable identifier that SLA policies refer to, e.g. "cn-mainland".',
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      maxLength: 64,
    },
    name: localizedText,
    timeZone: {
      type: 'string',
      description: 'IANA time zone the hours, holidays and workdays are read in.',
      minLength: 1,
      default: 'Asia/Shanghai',
    },
    week: {
      type: 'object',
      description: 'The regular week. Every day is listed; [] is a day off.',
      properties: {
        mon: dayPeriods,
        tue: dayPeriods,
        wed: dayPeriods,
        thu: dayPeriods,
        fri: dayPeriods,
        sat: dayPeriods,
        sun: dayPeriods,
      },
      required: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      additionalProperties: false,
    },
    holidays: {
      type: 'array',
      description: 'Dates with no working time, whatever the weekday.',
      items: {
        anyOf: [
          isoDate,
          {
            type: 'object',
            properties: { date: isoDate, name: localizedText },
            required: ['date'],
            additionalProperties: false,
          },
        ],
      },
      default: [],
    },
    workdays: {
      type: 'array',
      description:
        'Dates worked with their own hours, whatever the weekday: make-up working days (调休上班) on ' +
        'weekends, or shortened days. Without `periods` the day has the hours of the first day of ' +
        'the regular week (Monday first) that has any.',
      items: {
        type: 'object',
        properties: {
          date: isoDate,
          periods: { ...dayPeriods, minItems: 1 },
          name: localizedText,
        },
        required: ['date'],
        additionalProperties: false,
      },
      default: [],
    },
    note: {
      type: 'string',
      description: 'Free text for admins, e.g. where the holiday list comes from.',
    },
  },
  required: ['key', 'name', 'week'],
  additionalProperties: false,
} as const;

/** A calendar definition as written by an admin (defaulted properties may be left out). */
export type CalendarDefinition = FromSchema<
  typeof calendarSchema,
  { keepDefaultedPropertiesOptional: true }
>;

export type CalendarPeriod = FromSchema<typeof period>;

export type LocalizedText = FromSchema<typeof localizedText>;
