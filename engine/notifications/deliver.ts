/**
 * Step two of delivery: sending the pending e-mail and webhook rows. A short transaction leases due
 * rows (state `sending`, locked_by/locked_until, attempts + 1; SKIP LOCKED on PostgreSQL), the send
 * happens outside any transaction, and a second short transaction records the outcome — guarded by
 * the lease, so a node that lost its lease cannot overwrite another's result. A node that crashes
 * mid-send leaves a `sending` row whose lease runs out; it is then taken again (at-least-once: the
 * `X-Loopdesk-Delivery` id lets receivers drop the rare duplicate). Failures are retried with
 * exponential backoff (next_attempt_at) and end as `failed` after maxAttempts, with last_error kept.
 */
import type { EngineContext } from '../usecases/context.ts';
import type { Delivery } from './channels.ts';
import { DeliveryError } from './channels.ts';
import { type Channel, isChannel } from './recipients.ts';
import { DEFAULT_LANG, isLang } from './templates.ts';

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
}

/** The wait after the `attempts`-th failed try: base, 2×base, 4×base … capped. */
export const backoffMs = (policy: RetryPolicy, attempts: number): number =>
  Math.min(policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1), policy.backoffMaxMs);

interface NotificationRowDb {
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
  created_at: number;
}

function toDelivery(r: NotificationRowDb, attempt: number): Delivery {
  let payload: { businessKey?: unknown; fields?: unknown } = {};
  try {
    payload = JSON.parse(r.payload) ?? {};
  } catch {
    // an unreadable payload still has subject and body
  }
  return {
    id: r.id,
    channel: r.channel as Channel,
    recipient: r.recipient,
    template: r.template,
    lang: isLang(r.lang) ? r.lang : DEFAULT_LANG,
    subject: r.subject,
    body: r.body,
    instanceId: r.instance_id,
    businessKey: typeof payload.businessKey === 'string' ? payload.businessKey : null,
    fields: payload.fields && typeof payload.fields === 'object' ? (payload.fields as Record<string, unknown>) : {},
    createdAt: r.created_at,
    attempt,
  };
}

/**
 * Leases up to `limit` due deliveries for `workerId`. A row whose previous lease ran out with no
 * attempts left is marked failed here instead of being sent again.
 */
export async function leaseDueDeliveries(ctx: EngineContext, workerId: string, limit: number, policy: RetryPolicy): Promise<Delivery[]> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const rows = await tx.all<NotificationRowDb>(
      `SELECT id, recipient, channel, template, lang, subject, body, payload, instance_id, state, attempts, created_at FROM notifications
       WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
       ORDER BY next_attempt_at, id LIMIT ${Math.max(1, Math.floor(limit))}${ctx.db.skipLocked}`,
      [now, now],
    );
    const leased: Delivery[] = [];
    for (const r of rows) {
      const guard = "id = ? AND state IN ('pending', 'sending') AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)";
      if (r.attempts >= policy.maxAttempts || !isChannel(r.channel) || r.channel === 'in-app') {
        const error =
          r.attempts >= policy.maxAttempts
            ? `attempt ${r.attempts} of ${policy.maxAttempts} was interrupted (the sender stopped before reporting) and no attempts are left`
            : `channel "${r.channel}" is not delivered by the dispatcher`;
        await tx.run(
          `UPDATE notifications SET state = 'failed', locked_by = NULL, locked_until = NULL, next_attempt_at = NULL, last_error = ? WHERE ${guard}`,
          [error, r.id, now, now],
        );
        continue;
      }
      const took = await tx.run(
        `UPDATE notifications SET state = 'sending', locked_by = ?, locked_until = ?, next_attempt_at = ?, attempts = attempts + 1 WHERE ${guard}`,
        [workerId, now + policy.leaseMs, now + policy.leaseMs, r.id, now, now],
      );
      if (took === 1) leased.push(toDelivery(r, r.attempts + 1));
    }
    return leased;
  });
}

/** Records a send's outcome under the lease; resolves to false when the lease was lost meanwhile. */
export async function finishDelivery(ctx: EngineContext, d: Delivery, workerId: string, error: unknown, policy: RetryPolicy): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const guard = "id = ? AND locked_by = ? AND state = 'sending'";
    if (error === undefined) {
      return (
        (await tx.run(
          `UPDATE notifications SET state = 'sent', delivered_at = ?, locked_by = NULL, locked_until = NULL, next_attempt_at = NULL WHERE ${guard}`,
          [now, d.id, workerId],
        )) === 1
      );
    }
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const permanent = error instanceof DeliveryError && error.permanent;
    if (!permanent && d.attempt < policy.maxAttempts) {
      return (
        (await tx.run(
          `UPDATE notifications SET state = 'pending', next_attempt_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL WHERE ${guard}`,
          [now + backoffMs(policy, d.attempt), `attempt ${d.attempt}: ${message}`, d.id, workerId],
        )) === 1
      );
    }
    const why = permanent ? message : `gave up after ${d.attempt} attempts; last: ${message}`;
    return (
      (await tx.run(
        `UPDATE notifications SET state = 'failed', next_attempt_at = NULL, last_error = ?, locked_by = NULL, locked_until = NULL WHERE ${guard}`,
        [why, d.id, workerId],
      )) === 1
    );
  });
}
