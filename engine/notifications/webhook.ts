/**
 * Webhook deliveries: a JSON POST signed with `X-Loopdesk-Signature: sha256=<hex HMAC-SHA256 of the
 * raw body>` under LOOPDESK_WEBHOOK_SECRET, with the notification id in `X-Loopdesk-Delivery` (the
 * same on every retry, so a receiver can drop duplicates). Without a secret nothing is sent: an
 * unsigned webhook could not be told apart from a forged one.
 */
import { createHmac } from 'node:crypto';
import { type ChannelSender, type Delivery, DeliveryError } from './channels.ts';
import { isWebhookUrl } from './recipients.ts';

export interface WebhookSettings {
  secret?: string;
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-loopdesk-signature';
export const DELIVERY_HEADER = 'x-loopdesk-delivery';

export function sign(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Statuses worth another try; any other 4xx means the receiver will not take this body. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

export function createWebhookSender(settings: WebhookSettings): ChannelSender {
  return {
    async send(d: Delivery) {
      if (!settings.secret) throw new DeliveryError('webhooks are not configured: set LOOPDESK_WEBHOOK_SECRET (webhooks are only sent signed)', true);
      if (!isWebhookUrl(d.recipient)) throw new DeliveryError(`"${d.recipient}" is not an http(s) URL`, true);
      const body = JSON.stringify({
        id: d.id,
        template: d.template,
        lang: d.lang,
        subject: d.subject,
        body: d.body,
        instanceId: d.instanceId,
        businessKey: d.businessKey,
        fields: d.fields,
        createdAt: new Date(d.createdAt).toISOString(),
      });
      let res: Response;
      try {
        res = await fetch(d.recipient, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Loopdesk-Notifications',
            [SIGNATURE_HEADER]: sign(settings.secret, body),
            [DELIVERY_HEADER]: d.id,
            'x-loopdesk-attempt': String(d.attempt),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new DeliveryError(`POST ${d.recipient} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      // Redirects are not followed (the signature is for this URL); a 3xx is a configuration error.
      const permanent = (res.status >= 300 && res.status < 400) || (res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status));
      throw new DeliveryError(`POST ${d.recipient} answered ${res.status}${permanent ? ' (not retried)' : ''}`, permanent);
    },
  };
}
