/**
 * R16 progress log over HTTP on a real server (manual clock, so times are exact): entries carry
 * the server's time and the caller as author and list newest first; an entry marked for the
 * customer becomes exactly one `milestone` e-mail to `customer` through the notification service;
 * every entry is audited (R40); someone who may not read the case gets 404 and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';

const START = '2024-05-06T02:00:00.000Z'; // 10:00 in Shanghai, a Monday

const CASE_XML = singleTaskProcess({ processId: 'repair-case', taskId: 'repair', taskName: 'Repair', candidateGroups: 'desk' });

for (const backend of await backends()) {
  describe(`R16 progress log (${backend})`, () => {
    let t: TestServer;
    let wang: string;
    let li: string;
    let zhao: string;
    let head: string;

    beforeAll(async () => {
      t = await startTestServer(backend, { manualClock: true, clockStart: START });
      wang = await t.user('wang', { teams: ['desk'] });
      li = await t.user('li', { teams: ['desk'] });
      zhao = await t.user('zhao', { teams: ['field'] });
      head = await t.user('head', { roles: ['supervisor'] });
      expect((await t.deploy(CASE_XML)).status).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
    });

    let seq = 0;
    async function newCase(): Promise<string> {
      const r = await t.api('POST', '/api/instances', { token: t.adminToken, body: { processKey: 'repair-case', businessKey: `FB20240500${++seq}` } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    }
    const add = (token: string, id: string, body: unknown) => t.api('POST', `/api/instances/${id}/progress`, { token, body });
    const log = (token: string, id: string, query = '') => t.api('GET', `/api/instances/${id}/progress${query}`, { token });
    const advance = async (iso: string) => expect((await t.api('POST', '/api/admin/clock', { token: t.adminToken, body: { advance: iso } })).status).toBe(200);
    const now = async () => (await t.api('GET', '/api/health')).body.now as number;
    /** Direct read: the outbox rows of the case (the notification API shows deliveries, not requests). */
    const outbox = async (id: string) =>
      (await t.server.ctx.db.all<{ kind: string; payload: string }>('SELECT kind, payload FROM outbox WHERE instance_id = ? ORDER BY created_at, id', [id])).map((r) => ({
        kind: r.kind,
        ...JSON.parse(r.payload),
      }));

    it('R16: entries carry the server time and the caller as author, and list newest first', async () => {
      const id = await newCase();
      const t0 = await now();
      const first = await add(wang, id, { text: '已联系客户，约定明天上门', kind: 'contact' });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body).toMatchObject({ instanceId: id, at: t0, author: 'wang', text: '已联系客户，约定明天上门', kind: 'contact', customerVisible: false });
      await advance('PT30M');
      const second = await add(li, id, { text: '  waiting for parts  ' });
      expect(second.body).toMatchObject({ at: t0 + 30 * 60_000, author: 'li', text: 'waiting for parts', kind: 'note' });
      await advance('PT1H');
      const third = await add(head, id, { text: 'repair scheduled', customerVisible: true });
      expect(third.body).toMatchObject({ at: t0 + 90 * 60_000, author: 'head', kind: 'milestone', customerVisible: true });
      // Two entries in the same millisecond still come back newest first.
      const fourth = await add(wang, id, { text: 'parts arrived' });

      const listed = await log(wang, id);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((e: any) => [e.text, e.author, e.at])).toEqual([
        ['parts arrived', 'wang', t0 + 90 * 60_000],
        ['repair scheduled', 'head', t0 + 90 * 60_000],
        ['waiting for parts', 'li', t0 + 30 * 60_000],
        ['已联系客户，约定明天上门', 'wang', t0],
      ]);
      expect(listed.body.items[0].id).toBe(fourth.body.id);
      expect((await log(wang, id, '?customerVisible=true')).body.items.map((e: any) => e.text)).toEqual(['repair scheduled']);
      expect((await log(wang, id, '?limit=1')).body.items).toHaveLength(1);
    });

    it('R16: a customer-visible entry queues exactly one milestone e-mail to the customer; internal entries none', async () => {
      const id = await newCase();
      await add(wang, id, { text: 'internal: customer sounded upset' });
      await add(wang, id, { text: 'contacted customer', kind: 'contact' });
      expect(await outbox(id)).toEqual([]);

      const visible = await add(wang, id, { text: '维修已完成，工程师将于今天下午送回\n请保持电话畅通', customerVisible: true });
      expect(visible.status, JSON.stringify(visible.body)).toBe(201);

      // The request as the notification service received it (direct outbox read).
      const rows = await outbox(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        kind: 'notification',
        to: 'customer',
        template: 'milestone',
        channel: 'email',
        instanceId: id,
        fields: {
          text: '维修已完成，工程师将于今天下午送回\n请保持电话畅通',
          at: new Date(visible.body.at).toISOString(),
          caseNumber: expect.stringMatching(/^FB/),
          // No calendars are loaded in this server, so the customer's time is UTC and says so.
          milestone: { name: '维修已完成，工程师将于今天下午送回', note: '请保持电话畅通', at: `${new Date(visible.body.at).toISOString().slice(0, 16).replace('T', ' ')} UTC` },
        },
      });
      // No staff name and no contact data in what goes to the customer (R39).
      expect(JSON.stringify(rows[0].fields)).not.toContain('wang');

      // And as the notification API shows it: one milestone delivery on e-mail for this case.
      const deliveries = await waitFor('the milestone delivery', async () => {
        const r = await t.api('GET', `/api/notifications/deliveries?instanceId=${id}`, { token: head });
        return r.status === 200 && r.body.total > 0 && r.body;
      });
      expect(deliveries.total).toBe(1);
      expect(deliveries.items[0]).toMatchObject({ template: 'milestone', channel: 'email', instanceId: id });

      await add(wang, id, { text: 'one more internal note' });
      expect(await outbox(id)).toHaveLength(1);
    });

    it('R16 R40: every entry is audited with its author in the same change', async () => {
      const id = await newCase();
      const e = await add(li, id, { text: 'repair scheduled for Friday', customerVisible: true });
      const trail = await t.api('GET', `/api/audit?entityType=progress_entry&entityId=${e.body.id}`, { token: head });
      expect(trail.status).toBe(200);
      expect(trail.body).toHaveLength(1);
      expect(trail.body[0]).toMatchObject({ action: 'progress.add', actor: 'li', at: e.body.at, after: { instanceId: id, text: 'repair scheduled for Friday', customerVisible: true } });
    });

    it('R16: an agent of another team gets 404 for the log and writes nothing', async () => {
      const id = await newCase();
      await add(wang, id, { text: 'visible to the desk only' });
      const read = await log(zhao, id);
      expect(read.status).toBe(404);
      expect(read.body.code).toBe('LD_NOT_FOUND');
      const write = await add(zhao, id, { text: 'should not land', customerVisible: true });
      expect(write.status).toBe(404);
      expect((await log(head, id)).body.items.map((e: any) => e.text)).toEqual(['visible to the desk only']);
      expect(await outbox(id)).toEqual([]);
      expect((await add(wang, '00000000-0000-7000-8000-000000000000', { text: 'x' })).status).toBe(404);
    });

    it('R16: text is 1..2000 characters and not blank; `system` entries are the engine’s own', async () => {
      const id = await newCase();
      for (const body of [{ text: '' }, { text: '   \n ' }, { text: 'x'.repeat(2001) }, { text: 'ok', kind: 'system' }, { text: 'ok', extra: 1 }, {}]) {
        const r = await add(wang, id, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.code).toBe('LD_VALIDATION');
      }
      expect((await add(wang, id, { text: 'x'.repeat(2000) })).status).toBe(201);
      expect((await log(wang, id)).body.items).toHaveLength(1);
    });
  });
}
