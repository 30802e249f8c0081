/**
 * The `notifications` table: one row per recipient and channel, expanded from a `notification`
 * outbox row. The row is the delivery record too (state, attempts, next attempt, lease, last error),
 * so a failure stays visible and retryable; in-app rows double as the user's inbox (read_at).
 * Same conventions as ../store/entities.ts: text ids, epoch-ms BIGINT times, TEXT JSON.
 */
import { id, int, str, table, text, time } from '../store/columns.ts';


/** Longest recipient kept: a username, an e-mail address (320) or a webhook URL. */
export const RECIPIENT_MAX = 500;

export const Notification = table(
  'Notification',
  'notifications',
  {
    id,
    /** The outbox row it was expanded from; with channel and recipient unique, so expansion is exactly once. */
    outboxId: str(64, true),
    /** Username (in-app), e-mail address (email), URL (webhook), or the unresolved `to` text of a failed row. */
    recipient: str(RECIPIENT_MAX),
    channel: str(20),
    template: str(255),
    lang: str(10),
    subject: text(),
    body: text(),
    /** JSON: the fields the template was rendered with, business key, node id, the original `to`. */
    payload: text(),
    instanceId: str(64, true),
    /** pending | sending | sent | failed */
    state: str(20),
    attempts: int(false, 0),
    nextAttemptAt: time(true),
    lockedBy: str(100, true),
    lockedUntil: time(true),
    lastError: text(true),
    createdAt: time(),
    deliveredAt: time(true),
    readAt: time(true),
  },
  {
    indexes: [{ properties: ['recipient', 'readAt'] }, { properties: ['state', 'nextAttemptAt'] }, { properties: ['instanceId'] }],
    uniques: [{ properties: ['outboxId', 'channel', 'recipient'] }],
  },
);

export const notificationEntities = [Notification];
