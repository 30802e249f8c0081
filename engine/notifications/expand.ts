/**
 * Step one of delivery: pending `notification` outbox rows become `notifications` rows, one per
 * recipient and channel, rendered in the recipient's language. The transaction that inserts them
 * also marks the outbox row delivered, and takes the rows with SKIP LOCKED (PostgreSQL; SQLite has
 * one writer), so two nodes never expand the same row and a crash expands it again from scratch.
 * The unique (outbox_id, channel, recipient) index is the last line of defence against duplicates.
 * Nothing is dropped: an unknown recipient, template or channel becomes a `failed` row with the
 * reason in last_error.
 */
import { newId } from '../core/ids.ts';
import { DatabaseUnavailableError, type Tx } from '../store/db.ts';
import type { EngineContext } from '../usecases/context.ts';
import { NOTIFICATION_KIND } from './enqueue.ts';
import { RECIPIENT_MAX } from './entities.ts';
import { caseContext, maskPersonalFields, mergeContext } from './caseContext.ts';
import { resolveCaseRecipients } from './caseRecipients.ts';
import { CHANNELS, type Channel, type Target, UserDirectory, isChannel, resolveRecipients } from './recipients.ts';
import { DEFAULT_LANG, type Lang, type Templates, isLang, render } from './templates.ts';

interface OutboxRow {
  id: string;
  instance_id: string | null;
  payload: string;
  created_at: number;
}

interface NotificationPayload {
  to?: unknown;
  template?: unknown;
  channel?: unknown;
  lang?: unknown;
  businessKey?: unknown;
  fields?: unknown;
  instanceId?: unknown;
  nodeId?: unknown;
}

/** `channel` as given: one name, a list, or a comma-separated string; default in-app. */
function channelsOf(v: unknown): { channels: Channel[]; invalid: string[] } {
  const names = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[,;]/) : v == null ? [] : [String(v)];
  const trimmed = [...new Set(names.map((s) => s.trim().toLowerCase()).filter(Boolean))].map((s) => (s === 'inapp' || s === 'in_app' ? 'in-app' : s));
  if (trimmed.length === 0) return { channels: ['in-app'], invalid: [] };
  return { channels: trimmed.filter(isChannel), invalid: trimmed.filter((s) => !isChannel(s)) };
}

const asString = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** What a template sees: the caller's fields plus the case number, ids and the recipient. */
function renderContext(p: NotificationPayload, fields: Record<string, unknown>, target: Target): Record<string, unknown> {
  const businessKey = asString(p.businessKey);
  const givenCase = fields.case && typeof fields.case === 'object' && !Array.isArray(fields.case) ? (fields.case as Record<string, unknown>) : {};
  return {
    ...fields,
    businessKey,
    instanceId: asString(p.instanceId),
    nodeId: asString(p.nodeId),
    case: { number: businessKey, ...givenCase },
    recipient: { name: target.name, address: target.recipient },
  };
}

interface NewNotification {
  recipient: string;
  channel: string;
  template: string;
  lang: Lang;
  subject: string;
  body: string;
  state: 'pending' | 'sent' | 'failed';
  error: string | null;
}

async function insert(tx: Tx, outbox: OutboxRow, p: NotificationPayload, fields: Record<string, unknown>, n: NewNotification, now: number): Promise<void> {
  const payload = {
    to: p.to ?? null,
    businessKey: asString(p.businessKey),
    nodeId: asString(p.nodeId),
    fields,
  };
  await tx.run(
    `INSERT INTO notifications (id, outbox_id, recipient, channel, template, lang, subject, body, payload, instance_id, state, attempts,
       next_attempt_at, locked_by, locked_until, last_error, created_at, delivered_at, read_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL)`,
    [
      newId(),
      outbox.id,
      n.recipient.slice(0, RECIPIENT_MAX),
      n.channel.slice(0, 20),
      n.template.slice(0, 255),
      n.lang,
      n.subject,
      n.body,
      JSON.stringify(payload),
      (asString(p.instanceId) ?? outbox.instance_id)?.slice(0, 64) ?? null,
      n.state,
      n.state === 'sent' ? 1 : 0,
      n.state === 'pending' ? now : null,
      n.error,
      now,
      n.state === 'sent' ? now : null,
    ],
  );
}

/** Expands one outbox row; returns how many rows it created that still need sending. */
async function expandOne(tx: Tx, dir: UserDirectory, templates: Templates, row: OutboxRow, now: number): Promise<number> {
  let p: NotificationPayload;
  try {
    p = JSON.parse(row.payload) as NotificationPayload;
    if (!p || typeof p !== 'object') throw new Error('not an object');
  } catch (err) {
    p = {};
    const fail = `the outbox payload is not readable JSON: ${(err as Error).message}`;
    await insert(tx, row, p, {}, { recipient: '(unreadable)', channel: 'in-app', template: '', lang: DEFAULT_LANG, subject: '', body: '', state: 'failed', error: fail }, now);
    return 0;
  }
  const given = p.fields && typeof p.fields === 'object' && !Array.isArray(p.fields) ? (p.fields as Record<string, unknown>) : {};
  const instanceId = asString(p.instanceId) ?? row.instance_id;
  // What the producer passed wins over what the case says.
  const fields = mergeContext(await caseContext(tx, instanceId, given, now), given);
  p.to = await resolveCaseRecipients(tx, instanceId, p.to);
  const template = asString(p.template) ?? '';
  const requestedLang = isLang(p.lang) ? p.lang : null;
  const { channels, invalid } = channelsOf(p.channel);
  const base = { template, subject: '', body: '' };
  for (const bad of invalid) {
    const error = `unsupported channel "${bad}" (use ${CHANNELS.join(', ')})`;
    await insert(tx, row, p, fields, { ...base, recipient: String(p.to ?? '(none)'), channel: bad, lang: requestedLang ?? DEFAULT_LANG, state: 'failed', error }, now);
  }
  let toSend = 0;
  const seen = new Set<string>();
  for (const channel of channels) {
    for (const target of await resolveRecipients(dir, p.to, channel)) {
      // Recipients are cut to the column's length; two long ones alike in their first characters count once.
      const key = `${channel}\n${target.recipient.slice(0, RECIPIENT_MAX)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const lang = target.lang ?? requestedLang ?? DEFAULT_LANG;
      // What this recipient may see: contact data masked unless they may read it (R39).
      const visible = target.pii ? fields : maskPersonalFields(fields);
      const n: NewNotification = { ...base, recipient: target.recipient, channel, lang, state: 'failed', error: target.error ?? null };
      if (!template) n.error ??= 'the notification names no template';
      if (!n.error) {
        try {
          const r = render(templates, template, lang, renderContext(p, visible, target));
          Object.assign(n, { lang: r.lang, subject: r.subject, body: r.body });
          n.state = channel === 'in-app' ? 'sent' : 'pending';
        } catch (err) {
          n.error = (err as Error).message;
        }
      }
      await insert(tx, row, p, visible, n, now);
      if (n.state === 'pending') toSend++;
    }
  }
  return toSend;
}

export interface ExpandResult {
  expanded: number;
  toSend: number;
}

/**
 * Expands up to `batch` pending outbox rows in one transaction. Resolves to the number of outbox
 * rows expanded and the number of deliveries created that still need sending. If the batch cannot
 * be written (a row the database refuses), the rows are taken one by one and the offending one is
 * set aside as a failed notification, so one bad row never blocks the others.
 */
export async function expandOutbox(ctx: EngineContext, templates: Templates, batch: number): Promise<ExpandResult> {
  try {
    return await expandBatch(ctx, templates, batch);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) throw err;
  }
  const total: ExpandResult = { expanded: 0, toSend: 0 };
  for (let i = 0; i < batch; i++) {
    const current: { id?: string } = {};
    try {
      const r = await expandBatch(ctx, templates, 1, current);
      if (r.expanded === 0) break;
      total.expanded += r.expanded;
      total.toSend += r.toSend;
    } catch (err) {
      if (err instanceof DatabaseUnavailableError || !current.id) throw err;
      await setAside(ctx, current.id, err);
      total.expanded++;
    }
  }
  return total;
}

/** Marks an outbox row that cannot be expanded as failed, with a failed notification saying why. */
async function setAside(ctx: EngineContext, outboxId: string, err: unknown): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const row = await tx.get<OutboxRow>(`SELECT id, instance_id, payload, created_at FROM outbox WHERE id = ? AND state = 'pending'${ctx.db.skipLocked}`, [outboxId]);
    if (!row) return;
    await tx.run("UPDATE outbox SET state = 'failed', delivered_at = ? WHERE id = ?", [now, outboxId]);
    let template = '';
    try {
      template = asString((JSON.parse(row.payload) as NotificationPayload).template) ?? '';
    } catch {
      // the error below says enough
    }
    const error = `the notification could not be expanded: ${(err as Error).message ?? String(err)}`.slice(0, 2000);
    await insert(tx, row, {}, {}, { recipient: '(unexpandable)', channel: 'in-app', template, lang: DEFAULT_LANG, subject: '', body: '', state: 'failed', error }, now);
  });
}

async function expandBatch(ctx: EngineContext, templates: Templates, batch: number, current: { id?: string } = {}): Promise<ExpandResult> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const rows = await tx.all<OutboxRow>(
      `SELECT id, instance_id, payload, created_at FROM outbox WHERE state = 'pending' AND kind = ? ORDER BY created_at, id LIMIT ${Math.max(1, Math.floor(batch))}${ctx.db.skipLocked}`,
      [NOTIFICATION_KIND],
    );
    const dir = new UserDirectory(tx);
    let expanded = 0;
    let toSend = 0;
    for (const row of rows) {
      // Claim first: if another transaction got here (it cannot, under the row lock), do nothing.
      current.id = row.id;
      if ((await tx.run("UPDATE outbox SET state = 'delivered', delivered_at = ? WHERE id = ? AND state = 'pending'", [now, row.id])) !== 1) continue;
      toSend += await expandOne(tx, dir, templates, row, now);
      expanded++;
    }
    return { expanded, toSend };
  });
}
