/**
 * Polls like the job runner: each pass expands pending `notification` outbox rows into deliveries
 * (expand.ts), then leases and sends the due e-mail and webhook deliveries (deliver.ts). Several
 * dispatchers (nodes) may share one PostgreSQL database; leases and SKIP LOCKED keep them apart.
 */
import { randomUUID } from 'node:crypto';
import { PollingWorker } from '../jobs/PollingWorker.ts';
import type { EngineContext } from '../usecases/context.ts';
import type { ChannelSender } from './channels.ts';
import { type RetryPolicy, finishDelivery, leaseDueDeliveries } from './deliver.ts';
import { createEmailSender } from './email.ts';
import { expandOutbox } from './expand.ts';
import type { Channel } from './recipients.ts';
import { type Templates, loadTemplates } from './templates.ts';
import { createWebhookSender } from './webhook.ts';

export interface NotificationDispatcherOptions {
  pollMs?: number;
  /** Most outbox rows expanded, and most deliveries sent, in one pass. */
  batch?: number;
  /** Tries per delivery before it is `failed` (default 5). */
  maxAttempts?: number;
  /** Wait after the first failure; doubled after each further one (default 60 s, at most backoffMaxMs). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a sender owns a delivery before another may take it over (default 2 min). */
  leaseMs?: number;
  templates?: Templates;
  /** Where the templates live when `templates` is not given: `<dir>/notifications/templates.json`, else the shipped file. */
  definitionsDir?: string;
  smtpUrl?: string;
  mailFrom?: string;
  webhookSecret?: string;
  webhookTimeoutMs?: number;
  /** Replaces a channel's sender (another transport); in-app needs none. */
  senders?: Partial<Record<Exclude<Channel, 'in-app'>, ChannelSender>>;
  log?: (msg: string, err?: unknown) => void;
}

const positive = (v: number | undefined, dflt: number) => (v !== undefined && Number.isFinite(v) && v > 0 ? v : dflt);

export class NotificationDispatcher extends PollingWorker {
  readonly workerId = `notifier-${randomUUID()}`;
  readonly templates: Templates;
  readonly policy: RetryPolicy;
  private readonly senders: Record<Exclude<Channel, 'in-app'>, ChannelSender>;

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: NotificationDispatcherOptions = {},
  ) {
    super(positive(options.pollMs, 500), Math.floor(positive(options.batch, 50)), options.log);
    this.policy = {
      maxAttempts: Math.floor(positive(options.maxAttempts, 5)),
      backoffBaseMs: positive(options.backoffBaseMs, 60_000),
      backoffMaxMs: positive(options.backoffMaxMs, 3_600_000),
      leaseMs: positive(options.leaseMs, 120_000),
    };
    this.templates = options.templates ?? loadTemplates(options.definitionsDir);
    this.senders = {
      email: options.senders?.email ?? createEmailSender({ smtpUrl: options.smtpUrl, from: options.mailFrom }),
      webhook: options.senders?.webhook ?? createWebhookSender({ secret: options.webhookSecret, timeoutMs: options.webhookTimeoutMs }),
    };
  }

  /** The pass under way has finished by now; close the transports. */
  protected override async onStopped(): Promise<void> {
    for (const sender of Object.values(this.senders)) sender.close?.();
  }

  /** One pass: expand, then send what is due. Resolves to the number of rows it worked on. */
  protected async pass(): Promise<number> {
    const { expanded } = await expandOutbox(this.ctx, this.templates, this.batch);
    const due = await leaseDueDeliveries(this.ctx, this.workerId, this.batch, this.policy);
    await Promise.all(
      due.map(async (d) => {
        let error: unknown;
        try {
          const sender = this.senders[d.channel as Exclude<Channel, 'in-app'>];
          await sender.send(d);
        } catch (err) {
          error = err ?? new Error('delivery failed');
        }
        try {
          const kept = await finishDelivery(this.ctx, d, this.workerId, error, this.policy);
          if (!kept) this.options.log?.(`notification ${d.id}: the lease ran out before the outcome was recorded`);
        } catch (err) {
          // The lease runs out and the delivery is taken again.
          this.options.log?.(`notification ${d.id}: recording the outcome failed`, err);
        }
      }),
    );
    return expanded + due.length;
  }
}
