/**
 * E-mail notifications leave through nodemailer's SMTP transport and arrive at a real SMTP listener
 * (smtp-server on 127.0.0.1): the right envelope recipient, the subject in the recipient's language,
 * the case fields in the text part and escaped in the HTML part.
 */
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { backends } from '../../helpers/backends.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

const mails: Mail[] = [];
const smtp = new SMTPServer({
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  closeTimeout: 1000,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      mails.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      callback();
    });
  },
});
const port = await new Promise<number>((resolve) => {
  const s = smtp.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
});
process.env.LOOPDESK_SMTP_URL = `smtp://127.0.0.1:${port}`;
process.env.LOOPDESK_MAIL_FROM = 'Loopdesk 售后 <service@loopdesk.test>';

// --- just enough MIME to read what nodemailer wrote ---
function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*(?==\?utf-8\?)?/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}
function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}
function decodeBody(headers: Record<string, string>, body: string): string {
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}
/** Headers of the message and its text/plain and text/html parts, decoded. */
function parse(raw: string): { headers: Record<string, string>; subject: string; text: string; html: string } {
  const { headers, body } = splitHead(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  const parts: Record<string, string> = {};
  for (const chunk of boundary ? body.split(`--${boundary}`) : [body]) {
    const trimmed = chunk.replace(/^\r\n/, '');
    if (!trimmed.includes('\r\n\r\n')) continue;
    const part = splitHead(trimmed);
    const type = (part.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type === 'text/plain' || type === 'text/html') parts[type] = decodeBody(part.headers, part.body.replace(/\r\n$/, ''));
  }
  return { headers, subject: decodeWords(headers.subject ?? ''), text: parts['text/plain'] ?? '', html: parts['text/html'] ?? '' };
}

for (const backend of await backends()) {
  describe(`e-mail notifications over SMTP (${backend})`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
      await t.user('chen@example.com', { teams: ['desk'] });
      await t.user('wang', { teams: ['desk'] });
    });
    afterAll(async () => {
      await t?.close();
    });

    const enqueue = (n: Parameters<typeof enqueueNotification>[1]) => t.server.ctx.db.transaction((tx) => enqueueNotification(tx, n));
    const mailTo = (address: string, template: string) =>
      waitFor(`an e-mail to ${address}`, async () => mails.find((m) => m.to.includes(address) && m.raw.includes(`X-Loopdesk-Template: ${template}`)));
    const deliveries = async () => (await t.api('GET', '/api/notifications/deliveries?channel=email', { token: t.adminToken })).body.items as any[];

    it('R16: a milestone e-mail reaches the customer in Chinese with the case fields filled in', async () => {
      const customer = `customer-${backend}@example.com`;
      await enqueue({
        to: customer,
        channel: 'email',
        template: 'milestone',
        businessKey: 'FB202405001',
        fields: {
          case: { number: 'FB202405001', title: '空调不制冷', expectedAt: '2024-05-03 18:00' },
          customer: { name: '陈先生' },
          milestone: { name: '已安排维修', at: '2024-05-01 10:00', note: '工程师明天上门 <b>请留意</b>' },
          contact: { phone: '400-800-1234' },
        },
      });
      const mail = await mailTo(customer, 'milestone');
      expect(mail.to).toEqual([customer]);
      expect(mail.from).toBe('service@loopdesk.test');
      const m = parse(mail.raw);
      expect(m.subject).toBe('服务单 FB202405001 进度更新：已安排维修');
      expect(m.text).toContain('尊敬的陈先生');
      expect(m.text).toContain('您的服务单 FB202405001（空调不制冷）有新的进度');
      expect(m.text).toContain('工程师明天上门 <b>请留意</b>');
      // The HTML part shows the field as text, never as markup.
      expect(m.html).toContain('工程师明天上门 &lt;b&gt;请留意&lt;/b&gt;');
      expect(m.html).not.toContain('<b>请留意');
      const row = (await waitFor('the delivery to be sent', async () => (await deliveries()).find((d) => d.recipient === customer && d.state === 'sent'))) as any;
      expect(m.headers['x-loopdesk-delivery']).toBe(row.id);
      expect(row).toMatchObject({ attempts: 1, lang: 'zh-CN', businessKey: 'FB202405001', lastError: null });
    });

    it('R18: the service report goes out in English when asked for', async () => {
      const customer = `report-${backend}@example.com`;
      await enqueue({
        to: `email:${customer}`,
        channel: 'email',
        lang: 'en',
        template: 'service-report',
        fields: { case: { number: 'FB202405004', title: 'No cooling' }, customer: { name: 'Ms Chen' }, report: { cause: 'refrigerant leak', solution: 'brazed and refilled', engineer: 'Li', ratingUrl: 'https://example.com/r/4' } },
      });
      const m = parse((await mailTo(customer, 'service-report')).raw);
      expect(m.subject).toBe('Service report: request FB202405004 is complete');
      expect(m.text).toContain('Cause: refrigerant leak');
      expect(m.text).toContain('https://example.com/r/4');
    });

    it('R8: an e-mail to a team reaches the members with an address; the others fail visibly', async () => {
      await enqueue({ to: 'team:desk', channel: ['email', 'in-app'], template: 'sla-warning', fields: { case: { number: 'FB202405005' }, sla: { target: '响应', dueAt: '11:00' } } });
      const m = parse((await mailTo('chen@example.com', 'sla-warning')).raw);
      expect(m.subject).toBe('【SLA 预警】工单 FB202405005 的响应将于 11:00 到期');
      const rows = await waitFor('both e-mail rows to settle', async () => {
        const r = (await deliveries()).filter((d) => d.template === 'sla-warning');
        return r.length === 2 && r.every((d) => d.state !== 'pending' && d.state !== 'sending') && r;
      });
      expect(rows.map((d) => [d.recipient, d.state, d.lastError]).sort()).toEqual([
        ['chen@example.com', 'sent', null],
        ['wang', 'failed', 'user "wang" has no e-mail address on record'],
      ]);
      // The same request also went to both inboxes.
      const inApp = (await t.api('GET', '/api/notifications/deliveries?channel=in-app', { token: t.adminToken })).body.items.filter((d: any) => d.template === 'sla-warning');
      expect(inApp.map((d: any) => `${d.recipient}:${d.state}`).sort()).toEqual(['chen@example.com:sent', 'wang:sent']);
    });
  });
}

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});
