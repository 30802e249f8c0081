/**
 * Readable case numbers (R1): a format such as `FB{yyyyMM}{seq:3}` gives FB202405001. The counter
 * is one row per rendered prefix (FB202405), incremented with an upsert inside the transaction that
 * starts the instance: concurrent starts serialise on that row, and a start that rolls back gives
 * its number back, so numbers are unique and gap-free per month on SQLite and PostgreSQL alike.
 */
import { DateTime } from 'luxon';
import type { Tx } from '../store/db.ts';

const TOKEN = /\{([^}]+)\}/g;
const SEQ = /^seq(?::(\d+))?$/;

/** A problem with the format itself, found at deploy time. */
export function checkCaseNumberFormat(format: string): string | undefined {
  const tokens = [...format.matchAll(TOKEN)].map((m) => m[1]!);
  const seqs = tokens.filter((t) => SEQ.test(t));
  if (seqs.length !== 1) return `the case number format "${format}" needs exactly one {seq} or {seq:N}`;
  if (format.length > 40) return `the case number format "${format}" is longer than 40 characters`;
  return undefined;
}

function render(format: string, at: DateTime, seq: number | null): string {
  return format.replace(TOKEN, (_, token: string) => {
    const m = SEQ.exec(token);
    if (m) return seq === null ? '{seq}' : String(seq).padStart(Number(m[1] ?? 1), '0');
    return at.toFormat(token);
  });
}

/** Takes the next number for `format` at `now` in the given time zone (the month of the case is local). */
export async function nextCaseNumber(tx: Tx, format: string, now: number, timeZone: string): Promise<string> {
  const at = DateTime.fromMillis(now, { zone: timeZone });
  const key = render(format, at, null);
  const row = await tx.get<{ value: number }>(
    'INSERT INTO number_sequences (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = number_sequences.value + 1 RETURNING value',
    [key],
  );
  return render(format, at, Number(row!.value));
}
