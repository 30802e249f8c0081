/**
 * The progress log of a case (R16). An entry is written with its audit row (R40) and, when it is
 * marked for the customer, with a `milestone` notification for `customer` (e-mail) — all in one
 * transaction, so the customer is told exactly when the entry exists. Who may read the case may
 * read and write its log (usecases/instances.ts getInstance); anyone else gets 404.
 */
import { DateTime } from 'luxon';
import type { ProgressEntry, ProgressKind } from '../../schemas/progress.ts';
import { newId } from '../core/ids.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { getInstance } from '../usecases/instances.ts';

export interface ProgressInput {
  text: string;
  customerVisible?: boolean;
  /** Default: `milestone` when customer-visible, else `note`. */
  kind?: ProgressKind;
}

/** The milestone name in the e-mail subject is the entry's first line, cut to this length. */
const SUBJECT_CHARS = 60;

function toEntry(r: Record<string, unknown>): ProgressEntry {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    at: Number(r.at),
    author: r.author as string,
    text: r.text as string,
    kind: r.kind as ProgressKind,
    customerVisible: Number(r.customer_visible) === 1,
  };
}

/** A customer reads local time: the default business calendar's zone; UTC (and says so) without one. */
function customerTime(ctx: EngineContext, at: number): { text: string; zone: string } {
  const zone = ctx.calendars.get(ctx.defaultCalendar)?.timeZone;
  const local = DateTime.fromMillis(at, { zone: zone ?? 'UTC' }).toFormat('yyyy-MM-dd HH:mm');
  return zone ? { text: local, zone } : { text: `${local} UTC`, zone: 'UTC' };
}

/** The template shows `{{milestone.name}}` (subject and first line) then `{{milestone.note}}`: first line, then the rest. */
function milestoneParts(text: string): { name: string; note: string } {
  const [first = '', ...rest] = text.split(/\r?\n/);
  const line = [...first.trim()];
  if (line.length > SUBJECT_CHARS) return { name: `${line.slice(0, SUBJECT_CHARS - 1).join('')}…`, note: text };
  return { name: line.join(''), note: rest.join('\n').trim() };
}

/**
 * Writes one entry in `tx` (for engine code that already runs a step, e.g. `system` entries) and,
 * when customer-visible, queues the customer's milestone e-mail in the same transaction.
 */
export async function writeProgress(
  ctx: EngineContext,
  tx: Tx,
  now: number,
  c: { instanceId: string; caseNumber: string | null; businessKey: string | null },
  input: ProgressInput & { author: string },
  requestId?: string,
): Promise<ProgressEntry> {
  const text = input.text.trim();
  const customerVisible = input.customerVisible ?? false;
  const entry: ProgressEntry = {
    id: newId(),
    instanceId: c.instanceId,
    at: now,
    author: input.author,
    text,
    kind: input.kind ?? (customerVisible ? 'milestone' : 'note'),
    customerVisible,
  };
  await tx.run('INSERT INTO progress_entries (id, instance_id, at, author, text, kind, customer_visible) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    entry.id,
    entry.instanceId,
    entry.at,
    entry.author,
    entry.text,
    entry.kind,
    customerVisible ? 1 : 0,
  ]);
  await audit(tx, now, { actor: input.author, action: 'progress.add', entityType: 'progress_entry', entityId: entry.id, after: entry, requestId });
  if (customerVisible) {
    const local = customerTime(ctx, now);
    const { name, note } = milestoneParts(text);
    // Only what the customer may read: the entry and the case number — no staff names, no contact data (R39).
    await enqueueNotification(
      tx,
      {
        to: 'customer',
        template: 'milestone',
        channel: 'email',
        instanceId: c.instanceId,
        businessKey: c.businessKey,
        fields: {
          text,
          at: new Date(now).toISOString(),
          kind: entry.kind,
          progressEntryId: entry.id,
          caseNumber: c.caseNumber,
          ...(c.caseNumber ? { case: { number: c.caseNumber } } : {}),
          milestone: { name, note, at: local.text, timeZone: local.zone },
        },
      },
      now,
    );
  }
  return entry;
}

/** Adds an entry to the case's log as `who` (404 if they may not read the case). */
export async function addProgress(ctx: EngineContext, instanceId: string, input: ProgressInput, who: Principal, requestId?: string): Promise<ProgressEntry> {
  const inst = await getInstance(ctx, instanceId, who);
  const caseNumber = 'caseNumber' in inst && typeof inst.caseNumber === 'string' ? inst.caseNumber : null;
  return command(ctx, (tx, now) =>
    writeProgress(ctx, tx, now, { instanceId, caseNumber: caseNumber ?? inst.businessKey, businessKey: inst.businessKey }, { ...input, author: who.username }, requestId),
  );
}

/** The case's log, newest first. */
export async function listProgress(
  ctx: EngineContext,
  instanceId: string,
  who: Principal,
  filter: { customerVisible?: boolean; limit?: number } = {},
): Promise<ProgressEntry[]> {
  await getInstance(ctx, instanceId, who);
  const visible = filter.customerVisible === undefined ? '' : ` AND customer_visible = ${filter.customerVisible ? 1 : 0}`;
  const limit = Math.max(1, Math.min(500, Math.floor(filter.limit ?? 200)));
  const rows = await ctx.db.all<Record<string, unknown>>(
    `SELECT id, instance_id, at, author, text, kind, customer_visible FROM progress_entries WHERE instance_id = ?${visible} ORDER BY at DESC, id DESC LIMIT ${limit}`,
    [instanceId],
  );
  return rows.map(toEntry);
}
