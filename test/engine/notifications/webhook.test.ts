/**
 * Webhook deliveries against a real HTTP receiver on 127.0.0.1: signed with an HMAC of the raw
 * body, retried with exponential backoff (the manual clock makes the spacing exact), failed after
 * the configured attempts with the error kept, and sent again by an admin's retry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const SECRET = 'webhook-test-secret';
const BACKOFF_MS = 60_000;
process.env.LOOPDESK_WEBHOOK_SECRET = SECRET;
process.env.LOOPDESK_NOTIFY_BACKOFF_MS = String(BACKOFF_MS);
process.env.LOOPDESK_NOTIFY_MAX_ATTEMPTS = '3';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A receiver whose paths fail in scripted ways; every request is recorded with its raw body. */
function startReceiver() {
  const received: Received[] = [];
  const state = { flakyFailures: 2, downUntilFixed: true };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, raw: Buffer.concat(chunks) });
      let status = 200;
      if (path.startsWith('/flaky') && state.flakyFailures > 0) {
        state.flakyFailures--;
        status = 500;
      } else if (path.startsWith('/down') && state.downUntilFixed) status = 503;
      else if (path.startsWith('/gone')) status = 410;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  return new Promise<{ url: string; received: Received[]; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        state,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

function verifies(r: Received, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-loopdesk-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

for (const backend of await backends()) {
  describe(`webhook notifications (${backend})`, () => {
    let t: TestServer;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeAll(async () => {
      receiver = await startReceiver();
      t = await startTestServer(backend, { manualClock: true, clockStart: '2026-03-02T09:00:00+08:00' });
    });
    afterAll(async () => {
      await t?.close();
      await receiver?.close();
    });

    const now = () => t.server.ctx.clock.now();
    /** A dispatcher pass that began after whatever the test just did (the pass under way may predate it). */
    const settle = async () => {
      await t.server.notifier.runDue();
      await t.server.notifier.runDue();
    };
    const advance = async (iso: string) => {
      const r = await t.api('POST', '/api/admin/clock', { token: t.adminToken, body: { advance: iso } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await settle();
    };
    const delivery = async (recipient: string) => {
      const r = await t.api('GET', '/api/notifications/deliveries?channel=webhook', { token: t.adminToken });
      expect(r.status).toBe(200);
      return r.body.items.find((d: any) => d.recipient === recipient);
    };
    const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);

    it('R8: a webhook is retried with exponential backoff and signed with an HMAC of the raw body', async () => {
      const url = `${receiver.url}/flaky`;
      const t0 = now();
      await t.server.ctx.db.transaction((tx) =>
        enqueueNotification(tx, { to: url, channel: 'webhook', template: 'sla-breach', businessKey: 'FB202603001', fields: { case: { number: 'FB202603001', title: '空调不制冷' }, sla: { target: '解决' } } }, t0),
      );
      await settle();

      // Attempt 1 failed with 500: the next one is one backoff later.
      expect(requestsTo('/flaky')).toHaveLength(1);
      let d = await delivery(url);
      expect(d).toMatchObject({ state: 'pending', attempts: 1, createdAt: t0, nextAttemptAt: t0 + BACKOFF_MS });
      expect(d.lastError).toBe(`attempt 1: POST ${url} answered 500`);

      // Not before it is due.
      await advance('PT59S');
      expect(requestsTo('/flaky')).toHaveLength(1);

      // Attempt 2 at t0 + 1 min fails too: the wait doubles.
      await advance('PT1S');
      expect(requestsTo('/flaky')).toHaveLength(2);
      d = await delivery(url);
      expect(d).toMatchObject({ state: 'pending', attempts: 2, nextAttemptAt: t0 + BACKOFF_MS + 2 * BACKOFF_MS });
      expect(d.lastError).toBe(`attempt 2: POST ${url} answered 500`);

      await advance('PT1M');
      expect(requestsTo('/flaky')).toHaveLength(2);
      // Attempt 3 at t0 + 3 min is accepted.
      await advance('PT1M');
      expect(requestsTo('/flaky')).toHaveLength(3);
      d = await delivery(url);
      expect(d).toMatchObject({ state: 'sent', attempts: 3, deliveredAt: t0 + 3 * BACKOFF_MS, nextAttemptAt: null });

      // Every try carries the same delivery id and a signature that verifies over the exact bytes sent.
      const tries = requestsTo('/flaky');
      expect(tries.map((r) => r.headers['x-loopdesk-delivery'])).toEqual([d.id, d.id, d.id]);
      expect(tries.map((r) => r.headers['x-loopdesk-attempt'])).toEqual(['1', '2', '3']);
      for (const r of tries) {
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(verifies(r, SECRET)).toBe(true);
        expect(verifies(r, 'another-secret')).toBe(false);
      }
      const body = JSON.parse(tries[2]!.raw.toString('utf8'));
      expect(body).toMatchObject({ id: d.id, template: 'sla-breach', lang: 'zh-CN', businessKey: 'FB202603001', fields: { case: { number: 'FB202603001' } } });
      expect(body.subject).toBe('【SLA 超时】工单 FB202603001 的解决已超时');
      // A body changed in transit no longer matches its signature.
      expect(verifies({ ...tries[2]!, raw: Buffer.from(tries[2]!.raw.toString().replace('FB202603001', 'FB202603002')) }, SECRET)).toBe(false);
    });

    it('R8: after the configured attempts a webhook is failed with its last error, and an admin retry sends it again', async () => {
      const url = `${receiver.url}/down`;
      await t.server.ctx.db.transaction((tx) => enqueueNotification(tx, { to: url, channel: 'webhook', template: 'message', fields: { subject: 's', message: 'm' } }, now()));
      await settle();
      await advance('PT1M');
      await advance('PT2M');
      expect(requestsTo('/down')).toHaveLength(3);
      let d = await delivery(url);
      expect(d).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null });
      expect(d.lastError).toBe(`gave up after 3 attempts; last: POST ${url} answered 503`);
      // Failed stays failed: no more tries however long we wait.
      await advance('PT10H');
      expect(requestsTo('/down')).toHaveLength(3);

      // Supervisors see it; only admins may retry.
      const head = await t.user('head', { roles: ['supervisor'] });
      const visible = await t.api('GET', '/api/notifications/deliveries?state=failed&channel=webhook', { token: head });
      expect(visible.body.items.map((x: any) => x.id)).toContain(d.id);
      expect((await t.api('POST', `/api/notifications/deliveries/${d.id}/retry`, { token: head })).status).toBe(403);

      receiver.state.downUntilFixed = false;
      const retry = await t.api('POST', `/api/notifications/deliveries/${d.id}/retry`, { token: t.adminToken });
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.body).toMatchObject({ id: d.id, state: 'pending', attempts: 0, nextAttemptAt: now() });
      await settle();
      d = await delivery(url);
      expect(d).toMatchObject({ state: 'sent', attempts: 1 });
      expect(requestsTo('/down')).toHaveLength(4);
      // A sent delivery is not retried.
      expect((await t.api('POST', `/api/notifications/deliveries/${d.id}/retry`, { token: t.adminToken })).status).toBe(409);
      const audit = await t.api('GET', `/api/audit?entityType=notification&entityId=${d.id}`, { token: t.adminToken });
      expect(audit.body).toMatchObject([{ action: 'notification.retry', actor: 'admin', before: { state: 'failed', attempts: 3 } }]);
    });

    it('R8: a receiver that refuses the body (410) is not retried', async () => {
      const url = `${receiver.url}/gone`;
      await t.server.ctx.db.transaction((tx) => enqueueNotification(tx, { to: url, channel: 'webhook', template: 'message', fields: {} }, now()));
      await settle();
      const d = await delivery(url);
      expect(d).toMatchObject({ state: 'failed', attempts: 1, lastError: `POST ${url} answered 410 (not retried)` });
    });
  });
}
