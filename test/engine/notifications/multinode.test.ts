/**
 * Delivery across nodes: two dispatchers with their own connection pools on one PostgreSQL database
 * expand every outbox row exactly once (one notification per recipient and channel) and send every
 * webhook once; and a delivery whose sender died mid-send is taken over when its lease runs out.
 */
import { type Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../engine/auth/users.ts';
import { ManualClock, systemClock } from '../../../engine/core/clock.ts';
import { builtInHandlers } from '../../../engine/handlers/index.ts';
import { NotificationDispatcher } from '../../../engine/notifications/NotificationDispatcher.ts';
import { finishDelivery, leaseDueDeliveries } from '../../../engine/notifications/deliver.ts';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { expandOutbox } from '../../../engine/notifications/expand.ts';
import type { Db } from '../../../engine/store/db.ts';
import { openDatabase, parseDatabaseUrl } from '../../../engine/store/schema.ts';
import { createContext } from '../../../engine/usecases/context.ts';
import { backends, freshDatabaseUrl } from '../../helpers/backends.ts';

const BACKENDS = await backends();
const SECRET = 'multinode-secret';

/** Counts webhook deliveries by their X-Loopdesk-Delivery id. */
function startReceiver() {
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-loopdesk-delivery']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  return new Promise<{ url: string; seen: Map<string, number>; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, seen, close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe.runIf(BACKENDS.includes('postgres'))('notifications on two nodes sharing PostgreSQL', () => {
  const dbs: Db[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await drop?.();
  });

  it('R8: two dispatchers expand each outbox row into exactly one notification per recipient and send each webhook once', { timeout: 120_000 }, async () => {
    const fresh = await freshDatabaseUrl('postgres');
    drop = fresh.drop;
    const config = parseDatabaseUrl(fresh.url, '');
    dbs.push(await openDatabase(config));
    dbs.push(await openDatabase(config));
    const [dbA, dbB] = dbs as [Db, Db];
    for (const name of ['wang', 'li', 'zhao']) await createUser(dbA, { username: name, password: 'pw-123456', roles: ['agent'], teams: ['desk'] }, 'test', Date.now());

    const ROWS = 300;
    const outboxIds: { id: string; webhook: boolean }[] = [];
    await dbA.transaction(async (tx) => {
      for (let i = 0; i < ROWS; i++) {
        const webhook = i % 5 === 0;
        const id = await enqueueNotification(
          tx,
          webhook
            ? { to: receiver.url, channel: 'webhook', template: 'sla-warning', fields: { case: { number: `FB${i}` } } }
            : { to: 'team:desk', template: 'sla-warning', fields: { case: { number: `FB${i}` } } },
        );
        outboxIds.push({ id, webhook });
      }
    });

    const node = (db: Db) => new NotificationDispatcher(createContext(db, systemClock, builtInHandlers()), { batch: 10, webhookSecret: SECRET });
    const a = node(dbA);
    const b = node(dbB);
    const [doneA, doneB] = await Promise.all([a.drain(), b.drain()]);
    // One may have stopped while the other still held the last rows; a second round finds nothing.
    await Promise.all([a.drain(), b.drain()]);
    expect(doneA, 'node A took part').toBeGreaterThan(0);
    expect(doneB, 'node B took part').toBeGreaterThan(0);

    expect(await dbA.get('SELECT COUNT(*) AS n FROM outbox WHERE state = ?', ['pending'])).toEqual({ n: 0 });
    const webhooks = outboxIds.filter((o) => o.webhook).length;
    expect(await dbA.get('SELECT COUNT(*) AS n FROM notifications')).toEqual({ n: (ROWS - webhooks) * 3 + webhooks });
    expect(await dbA.all('SELECT outbox_id, channel, recipient, COUNT(*) AS n FROM notifications GROUP BY outbox_id, channel, recipient HAVING COUNT(*) > 1')).toEqual([]);
    const perRow = new Map((await dbA.all<{ outbox_id: string; n: number }>('SELECT outbox_id, COUNT(*) AS n FROM notifications GROUP BY outbox_id')).map((r) => [r.outbox_id, r.n]));
    for (const o of outboxIds) expect(perRow.get(o.id), o.id).toBe(o.webhook ? 1 : 3);
    expect(await dbA.all("SELECT state, COUNT(*) AS n FROM notifications GROUP BY state")).toEqual([{ state: 'sent', n: (ROWS - webhooks) * 3 + webhooks }]);

    const webhookIds = (await dbA.all<{ id: string }>("SELECT id FROM notifications WHERE channel = 'webhook'")).map((r) => r.id);
    expect(webhookIds).toHaveLength(webhooks);
    for (const id of webhookIds) expect(receiver.seen.get(id), id).toBe(1);
    await a.stop();
    await b.stop();
  });
});

describe.runIf(BACKENDS.includes('postgres'))('an outbox row the database refuses (PostgreSQL)', () => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl('postgres');
    drop = fresh.drop;
    db = await openDatabase(parseDatabaseUrl(fresh.url, ''));
    await createUser(db, { username: 'wang', password: 'pw-123456', roles: ['agent'] }, 'test', Date.now());
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('R8: is set aside as a failed notification with the reason and does not block the rows after it', async () => {
    const ctx = createContext(db, systemClock, builtInHandlers());
    const dispatcher = new NotificationDispatcher(ctx, {});
    // PostgreSQL refuses NUL characters in text; the rendered body would carry one.
    const bad = await db.transaction((tx) => enqueueNotification(tx, { to: 'wang', template: 'message', fields: { subject: 'bad', message: 'a\u0000b' } }));
    const good = await db.transaction((tx) => enqueueNotification(tx, { to: 'wang', template: 'message', fields: { subject: 'good', message: 'ok' } }));
    await dispatcher.drain();
    expect(await db.all('SELECT id, state FROM outbox ORDER BY id')).toEqual([
      { id: bad, state: 'failed' },
      { id: good, state: 'delivered' },
    ]);
    const rows = await db.all<{ outbox_id: string; recipient: string; state: string; subject: string; last_error: string | null }>(
      'SELECT outbox_id, recipient, state, subject, last_error FROM notifications ORDER BY outbox_id',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ outbox_id: bad, recipient: '(unexpandable)', state: 'failed' });
    expect(rows[0]!.last_error).toMatch(/^the notification could not be expanded: .*0x00/);
    expect(rows[1]).toMatchObject({ outbox_id: good, recipient: 'wang', state: 'sent', subject: 'good', last_error: null });
    await dispatcher.stop();
  });
});

for (const backend of BACKENDS) {
  describe(`a sender that dies mid-send (${backend})`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const fresh = await freshDatabaseUrl(backend);
      drop = fresh.drop;
      db = await openDatabase(parseDatabaseUrl(fresh.url, ''));
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('R8: its delivery is taken over when the lease runs out, and its late report is ignored', async () => {
      const clock = new ManualClock(Date.parse('2026-03-02T01:00:00Z'));
      const ctx = createContext(db, clock, builtInHandlers());
      const survivor = new NotificationDispatcher(ctx, { webhookSecret: SECRET, leaseMs: 30_000 });
      const url = `${receiver.url}?crash-${backend}`;
      await db.transaction((tx) => enqueueNotification(tx, { to: url, channel: 'webhook', template: 'message', fields: {} }, clock.now()));
      await expandOutbox(ctx, survivor.templates, 10);

      // Another node leases the delivery and dies before reporting.
      const [leased] = await leaseDueDeliveries(ctx, 'crashed-node', 10, survivor.policy);
      expect(leased).toMatchObject({ recipient: url, attempt: 1 });
      expect(await survivor.drain()).toBe(0);
      expect(await db.get('SELECT state, locked_by, attempts FROM notifications WHERE id = ?', [leased!.id])).toEqual({ state: 'sending', locked_by: 'crashed-node', attempts: 1 });

      clock.advance(30_000);
      expect(await survivor.drain()).toBeGreaterThan(0);
      expect(receiver.seen.get(leased!.id)).toBe(1);
      expect(await db.get('SELECT state, locked_by, attempts FROM notifications WHERE id = ?', [leased!.id])).toEqual({ state: 'sent', locked_by: null, attempts: 2 });

      // The dead node's report, arriving late, changes nothing.
      expect(await finishDelivery(ctx, leased!, 'crashed-node', new Error('timeout'), survivor.policy)).toBe(false);
      expect(await db.get('SELECT state, last_error FROM notifications WHERE id = ?', [leased!.id])).toEqual({ state: 'sent', last_error: null });
      await survivor.stop();
    });
  });
}
