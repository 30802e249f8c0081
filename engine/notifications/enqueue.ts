/**
 * How engine code asks for a notification: an `outbox` row of kind `notification`, written in the
 * caller's own transaction, so the notification exists if and only if the step that wanted it
 * commits. The dispatcher expands it into one delivery per recipient and channel afterwards.
 */
import { newId } from '../core/ids.ts';
import type { Tx } from '../store/db.ts';
import type { Channel } from './recipients.ts';
import type { Lang } from './templates.ts';

export const NOTIFICATION_KIND = 'notification';

export interface NotificationRequest {
  /** See recipients.ts: `wang`, `user:wang`, `team:desk`, `department:after-sales`, `role:supervisor`, an e-mail address, a URL; a list or comma-separated. */
  to: string | string[];
  /** A key of definitions/notifications/templates.json. */
  template: string;
  /** One channel or several; default in-app. */
  channel?: Channel | Channel[];
  /** For recipients without a stored language (customers' addresses); default zh-CN. */
  lang?: Lang;
  /** The template's fields, e.g. `{ case: { number: 'FB202405001' } }`. */
  fields?: Record<string, unknown>;
  instanceId?: string | null;
  businessKey?: string | null;
  nodeId?: string | null;
}

/** Queues a notification in `tx`; returns the outbox row id. `now` is the step's engine time. */
export async function enqueueNotification(tx: Tx, n: NotificationRequest, now: number = Date.now()): Promise<string> {
  const id = newId();
  const payload = {
    to: n.to,
    template: n.template,
    channel: n.channel ?? 'in-app',
    ...(n.lang ? { lang: n.lang } : {}),
    businessKey: n.businessKey ?? null,
    fields: n.fields ?? {},
    instanceId: n.instanceId ?? null,
    nodeId: n.nodeId ?? null,
  };
  await tx.run("INSERT INTO outbox (id, instance_id, kind, payload, created_at, state) VALUES (?, ?, ?, ?, ?, 'pending')", [
    id,
    n.instanceId ?? null,
    NOTIFICATION_KIND,
    JSON.stringify(payload),
    now,
  ]);
  return id;
}
