/**
 * The dispatcher's settings from the environment: LOOPDESK_SMTP_URL, LOOPDESK_MAIL_FROM,
 * LOOPDESK_WEBHOOK_SECRET, LOOPDESK_NOTIFY_MAX_ATTEMPTS (5), LOOPDESK_NOTIFY_BACKOFF_MS (60000,
 * doubled per failure up to LOOPDESK_NOTIFY_BACKOFF_MAX_MS, 3600000), LOOPDESK_NOTIFY_POLL_MS
 * (the job runner's poll interval when unset). A malformed number stops the start.
 */
import type { NotificationDispatcherOptions } from './NotificationDispatcher.ts';

function positiveNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return n;
}

export function notificationSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotificationDispatcherOptions {
  const smtpUrl = env.LOOPDESK_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error(`LOOPDESK_SMTP_URL must be smtp://… or smtps://…, got ${smtpUrl}`);
  return {
    smtpUrl,
    mailFrom: env.LOOPDESK_MAIL_FROM || undefined,
    webhookSecret: env.LOOPDESK_WEBHOOK_SECRET || undefined,
    maxAttempts: positiveNumber(env, 'LOOPDESK_NOTIFY_MAX_ATTEMPTS'),
    backoffBaseMs: positiveNumber(env, 'LOOPDESK_NOTIFY_BACKOFF_MS'),
    backoffMaxMs: positiveNumber(env, 'LOOPDESK_NOTIFY_BACKOFF_MAX_MS'),
    pollMs: positiveNumber(env, 'LOOPDESK_NOTIFY_POLL_MS'),
  };
}
