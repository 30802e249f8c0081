/**
 * Notifications: in-app inbox, e-mail (SMTP) and signed webhooks, from templates in zh-CN and en.
 * Engine code queues with `enqueueNotification` inside its step's transaction; the
 * `NotificationDispatcher` expands and delivers; routes use the inbox use cases.
 */
export { NotificationDispatcher, type NotificationDispatcherOptions } from './NotificationDispatcher.ts';
export { type NotificationRequest, enqueueNotification } from './enqueue.ts';
export { notificationEntities } from './entities.ts';
export { listDeliveries, listInbox, markAllRead, markRead, retryDelivery } from './inbox.ts';
export { CHANNELS, type Channel, UserDirectory, resolveRecipients } from './recipients.ts';
export { notificationSettingsFromEnv } from './settings.ts';
export { type Lang, type Templates, loadTemplates, render } from './templates.ts';
export { sign as signWebhookBody } from './webhook.ts';
