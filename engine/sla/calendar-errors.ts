/**
 * Errors raised by business calendars and duration arithmetic. Callers branch on `code`; the
 * HTTP layer turns the code into a message in the caller's language and keeps `path`.
 */
export type CalendarErrorCode =
  /** The definition breaks the schema or a rule the schema cannot express; `path` points at it. */
  | 'LD_CALENDAR_INVALID'
  /** The calendar has no working time from the given instant on, so no SLA deadline exists. */
  | 'LD_CALENDAR_NO_WORKING_TIME'
  /** Not an ISO 8601 duration Loopdesk accepts (PT2H, P3D, P1DT4H…). */
  | 'LD_SLA_INVALID_DURATION'
  /** Years or months asked for in working time, where they have no agreed meaning. */
  | 'LD_SLA_UNSUPPORTED_WORKING_UNIT'
  /** An invalid Date or a negative, fractional or non-finite number of milliseconds. */
  | 'LD_SLA_INVALID_ARGUMENT';

export class CalendarError extends Error {
  override readonly name = 'CalendarError';

  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    /** JSON pointer into the calendar definition, for LD_CALENDAR_INVALID. */
    readonly path?: string,
  ) {
    super(message);
  }
}
