/**
 * The use cases behind /api/notifications: a user's in-app inbox (list, unread count, mark read),
 * and for supervisors and admins every delivery with its state, attempts and last error, with a
 * manual retry. Changes write an audit row in their own transaction (R40).
 */
import type { DeliveriesPage, DeliveriesQuery, Delivery, InboxItem, InboxPage, InboxQuery } from '../../schemas/notifications.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import type { EngineContext, Principal } from '../usecases/context.ts';
import { DEFAULT_LANG, isLang } from './templates.ts';

interface RowDb {
  id: string;
  recipient: string;
  channel: string;
  template: string;
  lang: string;
  subject: string;
  body: string;
  payload: string;
  instance_id: string | null;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  read_at: number | null;
}

function businessKeyOf(payload: string): string | null {
  try {
    const bk = (JSON.parse(payload) as { businessKey?: unknown }).businessKey;
    return typeof bk === 'string' ? bk : null;
  } catch {
    return null;
  }
}

function inboxItem(r: RowDb): InboxItem {
  return {
    id: r.id,
    template: r.template,
    lang: isLang(r.lang) ? r.lang : DEFAULT_LANG,
    subject: r.subject,
    body: r.body,
    instanceId: r.instance_id,
    businessKey: businessKeyOf(r.payload),
    createdAt: Number(r.created_at),
    readAt: r.read_at === null ? null : Number(r.read_at),
  };
}

function deliveryItem(r: RowDb): Delivery {
  return {
    id: r.id,
    recipient: r.recipient,
    channel: r.channel,
    template: r.template,
    lang: r.lang,
    subject: r.subject,
    state: r.state as Delivery['state'],
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    lastError: r.last_error,
    instanceId: r.instance_id,
    businessKey: businessKeyOf(r.payload),
    createdAt: Number(r.created_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    readAt: r.read_at === null ? null : Number(r.read_at),
  };
}


const page = (n: number | undefined, dflt: number, max: number) => Math.min(Math.max(0, Math.floor(n ?? dflt)), max);

// In-app rows are the inbox once sent; a failed in-app row has no real recipient and shows under deliveries.
const INBOX = "recipient = ? AND channel = 'in-app' AND state = 'sent'";

async function unreadCount(tx: Tx, username: string): Promise<number> {
  const row = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications WHERE ${INBOX} AND read_at IS NULL`, [username]);
  return Number(row?.n ?? 0);
}

/** The caller's in-app notifications, newest first, with the total and the unread count. */
export async function listInbox(ctx: EngineContext, user: Principal, q: InboxQuery): Promise<InboxPage> {
  const where = q.unread ? `${INBOX} AND read_at IS NULL` : INBOX;
  const limit = page(q.limit, 50, 200);
  const offset = page(q.offset, 0, 1_000_000);
  const rows = await ctx.db.all<RowDb>(`SELECT * FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`, [
    user.username,
  ]);
  const total = await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications WHERE ${where}`, [user.username]);
  return { items: rows.map(inboxItem), total: Number(total?.n ?? 0), unreadCount: await unreadCount(ctx.db, user.username) };
}

/** Marks one of the caller's notifications read (again is harmless); someone else's is 404. */
export async function markRead(ctx: EngineContext, user: Principal, id: string, requestId?: string): Promise<InboxItem> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const row = await tx.get<RowDb>(`SELECT * FROM notifications WHERE id = ? AND ${INBOX}`, [id, user.username]);
    if (!row) throw notFound('notification', id);
    if (row.read_at === null) {
      await tx.run('UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL', [now, id]);
      await audit(tx, now, { actor: user.username, action: 'notification.read', entityType: 'notification', entityId: id, after: { readAt: now }, requestId });
      row.read_at = now;
    }
    return inboxItem(row);
  });
}

export async function markAllRead(ctx: EngineContext, user: Principal, requestId?: string): Promise<{ updated: number; unreadCount: number }> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const updated = await tx.run(`UPDATE notifications SET read_at = ? WHERE ${INBOX} AND read_at IS NULL`, [now, user.username]);
    if (updated > 0) {
      await audit(tx, now, { actor: user.username, action: 'notification.read-all', entityType: 'notification', entityId: user.username, after: { updated }, requestId });
    }
    return { updated, unreadCount: await unreadCount(tx, user.username) };
  });
}

/** Every delivery, newest first, filtered by state and channel: failures stay visible here. */
export async function listDeliveries(ctx: EngineContext, q: DeliveriesQuery): Promise<DeliveriesPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.state) {
    where.push('state = ?');
    params.push(q.state);
  }
  if (q.channel) {
    where.push('channel = ?');
    params.push(q.channel);
  }
  if (q.instanceId) {
    where.push('instance_id = ?');
    params.push(q.instanceId);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const limit = page(q.limit, 50, 500);
  const offset = page(q.offset, 0, 1_000_000);
  const rows = await ctx.db.all<RowDb>(`SELECT * FROM notifications ${clause} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`, params);
  const total = await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications ${clause}`, params);
  return { items: rows.map(deliveryItem), total: Number(total?.n ?? 0) };
}

/**
 * Sends a failed (or waiting) e-mail or webhook delivery again now, with a fresh set of attempts.
 * In-app rows fail only when nobody could be resolved, so there is nothing to resend: 409.
 */
export async function retryDelivery(ctx: EngineContext, actor: Principal, id: string, requestId?: string): Promise<Delivery> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const row = await tx.get<RowDb>('SELECT * FROM notifications WHERE id = ?', [id]);
    if (!row) throw notFound('notification', id);
    if (row.channel !== 'email' && row.channel !== 'webhook') {
      throw new LoopdeskError('LD_NOTIFICATION_NOT_RETRYABLE', 409, `a ${row.channel} notification is not resent; send a new one to a valid recipient`);
    }
    if (row.state !== 'failed' && row.state !== 'pending') {
      throw new LoopdeskError('LD_NOTIFICATION_NOT_RETRYABLE', 409, `notification ${id} is ${row.state}; only failed or waiting deliveries are retried`);
    }
    const changed = await tx.run(
      "UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ? AND state IN ('failed', 'pending')",
      [now, id],
    );
    if (changed !== 1) throw new LoopdeskError('LD_NOTIFICATION_NOT_RETRYABLE', 409, `notification ${id} changed meanwhile; look again`);
    await audit(tx, now, {
      actor: actor.username,
      action: 'notification.retry',
      entityType: 'notification',
      entityId: id,
      before: { state: row.state, attempts: row.attempts, lastError: row.last_error },
      after: { state: 'pending', attempts: 0, nextAttemptAt: now },
      requestId,
    });
    return deliveryItem({ ...row, state: 'pending', attempts: 0, next_attempt_at: now });
  });
}
