/**
 * E-mail over SMTP with nodemailer, configured by LOOPDESK_SMTP_URL (`smtp://host:port`,
 * `smtps://user:pass@host:465`; nodemailer's URL options such as `?tls.rejectUnauthorized=false`
 * apply) and LOOPDESK_MAIL_FROM. Each message has a plain-text part and an HTML part built from the
 * escaped text, so a field can never inject markup.
 */
import nodemailer from 'nodemailer';
import { type ChannelSender, type Delivery, DeliveryError } from './channels.ts';
import { isEmailAddress } from './recipients.ts';
import { htmlBody } from './templates.ts';

export const DEFAULT_MAIL_FROM = 'Loopdesk <noreply@loopdesk.invalid>';

export interface EmailSettings {
  smtpUrl?: string;
  from?: string;
}

export function createEmailSender(settings: EmailSettings): ChannelSender {
  let transport: nodemailer.Transporter | undefined;
  const from = settings.from || DEFAULT_MAIL_FROM;
  return {
    async send(d: Delivery) {
      if (!settings.smtpUrl) {
        throw new DeliveryError('e-mail is not configured: set LOOPDESK_SMTP_URL (for example smtp://127.0.0.1:25) and restart', true);
      }
      if (!isEmailAddress(d.recipient)) throw new DeliveryError(`"${d.recipient}" is not an e-mail address`, true);
      transport ??= nodemailer.createTransport(settings.smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
      try {
        await transport.sendMail({
          from,
          to: d.recipient,
          subject: d.subject,
          text: d.body,
          html: htmlBody(d.body),
          headers: { 'X-Loopdesk-Delivery': d.id, 'X-Loopdesk-Template': d.template, 'Content-Language': d.lang },
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx: the server refused this message for good (no such mailbox, policy); 4xx and network errors pass.
        throw new DeliveryError(`SMTP: ${(err as Error).message}`, typeof code === 'number' && code >= 500 && code < 600);
      }
    },
    close() {
      transport?.close();
      transport = undefined;
    },
  };
}
