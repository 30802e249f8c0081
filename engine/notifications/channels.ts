/**
 * What a channel sender gets and how it reports failure. A sender throws on failure; a
 * `DeliveryError` with `permanent` set ends the delivery at once (nothing a retry could change:
 * no SMTP configured, a malformed address, a 4xx from a webhook), anything else is retried with
 * backoff until the attempts run out.
 */
import type { Channel } from './recipients.ts';
import type { Lang } from './templates.ts';

export interface Delivery {
  /** The notification id; stable across retries, so receivers can deduplicate on it. */
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  lang: Lang;
  subject: string;
  body: string;
  instanceId: string | null;
  businessKey: string | null;
  fields: Record<string, unknown>;
  createdAt: number;
  /** 1 for the first try. */
  attempt: number;
}

export interface ChannelSender {
  send(d: Delivery): Promise<void>;
  close?(): void;
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}
