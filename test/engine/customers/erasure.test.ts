/**
 * R39: GDPR-style export and erasure of one customer. Export hands an admin everything held about
 * the customer, unmasked; erasure removes the personal part of it (profile contact data, personal
 * form fields in variables and submissions, notification texts, audit payloads) in one step, keeps
 * what statistics need (durations, types, scores, region), leaves other customers alone, and the
 * audit chain still verifies. Both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { backends } from '../../helpers/backends.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const contactForm = {
  key: 'contact-record',
  title: { 'zh-CN': '联系记录', en: 'Contact record' },
  schema: {
    type: 'object',
    required: ['contactName', 'faultType'],
    properties: {
      contactName: { type: 'string', 'x-loopdesk-personal': 'name' },
      contactPhone: { type: 'string', format: 'phone' },
      address: { type: 'object', 'x-loopdesk-personal': true, properties: { city: { type: 'string' }, street: { type: 'string' } } },
      faultType: { type: 'string', enum: ['noise', 'leak'] },
      score: { type: 'integer', minimum: 1, maximum: 5 },
    },
  },
};

describe.each(await backends())('R39: export and erasure of one customer (%s)', (backend) => {
  let t: TestServer;
  let supervisor: string;
  let chen: string;
  let li: string;
  const cases: Record<string, string> = {};

  const openCase = async (customerId: string, businessKey: string, data: Record<string, unknown>) => {
    const started = await t.api('POST', '/api/instances', { token: t.adminToken, body: { processKey: 'contact', businessKey, variables: { customerId } } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const tasks = await t.api('GET', `/api/tasks?instanceId=${started.body.id}&state=open`, { token: t.adminToken });
    const done = await t.api('POST', `/api/tasks/${tasks.body.items[0].id}/complete`, { token: t.adminToken, body: { data } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    return started.body.id as string;
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    supervisor = await t.user('head', { roles: ['supervisor'] });
    const form = await t.api('POST', '/api/forms?publish=true', { token: t.adminToken, body: contactForm });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    const flow = singleTaskProcess({ processId: 'contact', taskId: 'record', taskName: 'Record', candidateGroups: 'desk', formId: 'contact-record' });
    expect((await t.deploy(flow)).status).toBe(201);
    const newCustomer = async (body: Record<string, unknown>) => (await t.api('POST', '/api/customers', { token: t.adminToken, body })).body.id as string;
    chen = await newCustomer({ name: '陈小明', phone: '13812345678', email: 'chen@example.com', region: '华东', company: '小明电器' });
    li = await newCustomer({ name: '李四', phone: '13900001111', region: '华南' });
    const personal = { contactName: '陈小明', contactPhone: '13812345678', address: { city: '上海', street: '南京路1号' } };
    cases.chen1 = await openCase(chen, 'FB202405101', { ...personal, faultType: 'noise', score: 2 });
    cases.chen2 = await openCase(chen, 'FB202405102', { ...personal, faultType: 'leak', score: 5 });
    cases.li = await openCase(li, 'FB202405103', { contactName: '李四', contactPhone: '13900001111', faultType: 'leak', score: 4 });
    await t.server.ctx.db.transaction((tx) =>
      enqueueNotification(tx, {
        to: ['chen@example.com', 'head'],
        channel: ['email', 'in-app'],
        template: 'delay-notice',
        instanceId: cases.chen1,
        fields: { customer: { name: '陈小明' }, delay: { reason: '配件缺货', newDate: '2024-05-20' } },
      }),
    );
    await waitFor('the notices expanded', async () => {
      const n = await t.server.ctx.db.all('SELECT id FROM notifications WHERE instance_id = ?', [cases.chen1]);
      return n.length > 0 ? n : undefined;
    });
  });
  afterAll(async () => t?.close());

  /** Every place personal data could sit, as one string to search. */
  const everything = async () =>
    JSON.stringify([
      await t.server.ctx.db.all('SELECT * FROM customers'),
      await t.server.ctx.db.all('SELECT variables FROM instances'),
      await t.server.ctx.db.all('SELECT data FROM submissions'),
      await t.server.ctx.db.all('SELECT recipient, subject, body, payload FROM notifications'),
      await t.server.ctx.db.all('SELECT before, after FROM audit_log'),
    ]);

  it('R39: only an admin exports or erases; others get 403, an unknown customer 404', async () => {
    expect((await t.api('GET', `/api/customers/${chen}/personal-data`, { token: supervisor })).status).toBe(403);
    expect((await t.api('POST', `/api/customers/${chen}/erasure`, { token: supervisor, body: { reason: 'request 1' } })).status).toBe(403);
    expect((await t.api('GET', `/api/customers/${chen}/personal-data`)).status).toBe(401);
    expect((await t.api('GET', '/api/customers/nope/personal-data', { token: t.adminToken })).status).toBe(404);
    expect((await t.api('POST', `/api/customers/${chen}/erasure`, { token: t.adminToken, body: {} })).status).toBe(400);
  });

  it('R39: the export holds the profile, every case with its submissions, and the notifications, unmasked', async () => {
    const r = await t.api('GET', `/api/customers/${chen}/personal-data`, { token: t.adminToken });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect(r.body.customer).toMatchObject({ name: '陈小明', phone: '13812345678', email: 'chen@example.com' });
    expect(r.body.cases.map((c: { instanceId: string }) => c.instanceId).sort()).toEqual([cases.chen1, cases.chen2].sort());
    const first = r.body.cases.find((c: { instanceId: string }) => c.instanceId === cases.chen1);
    expect(first.submissions[0]).toMatchObject({ formKey: 'contact-record', formVersion: 1, data: { contactPhone: '13812345678', faultType: 'noise' } });
    expect(r.body.notifications.map((n: { recipient: string }) => n.recipient)).toContain('chen@example.com');
    // Nothing of the other customer.
    expect(JSON.stringify(r.body)).not.toContain('李四');
    const trail = await t.api('GET', `/api/audit?entityType=customer&entityId=${chen}`, { token: t.adminToken });
    expect(trail.body.map((a: { action: string }) => a.action)).toContain('customer.export');
  });

  it('R39: erasure removes the personal data everywhere, keeps the statistics, and the audit chain verifies', async () => {
    expect(await everything()).toContain('13812345678');
    const r = await t.api('POST', `/api/customers/${chen}/erasure`, { token: t.adminToken, body: { reason: '客户申请删除 2026-11-20' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ customerId: chen, cases: 2, submissions: 2 });
    // contactName, contactPhone and address, in two submissions and in two cases' variables.
    expect(r.body.fieldsErased).toBe(12);
    expect(r.body.notifications).toBeGreaterThanOrEqual(2);
    expect(r.body.auditRows).toBeGreaterThan(0);

    const stored = await everything();
    for (const personal of ['陈小明', '13812345678', 'chen@example.com', '南京路1号', '小明电器']) expect(stored).not.toContain(personal);
    // The other customer is untouched.
    expect(stored).toContain('李四');
    expect(stored).toContain('13900001111');

    const profile = await t.api('GET', `/api/customers/${chen}`, { token: t.adminToken });
    expect(profile.body).toMatchObject({ phone: null, email: null, company: null, region: '华东' });
    expect(profile.body.name).toMatch(/^已删除客户 erased-/);
    expect(profile.body.erasedAt).toEqual(expect.any(Number));
    // What statistics read stays: the fault types and scores, the cases and their node history.
    const inst = await t.api('GET', `/api/instances/${cases.chen1}`, { token: t.adminToken });
    expect(inst.body.variables.contactRecord).toEqual({ faultType: 'noise', score: 2 });
    expect(inst.body.history.length).toBeGreaterThanOrEqual(3);
    expect(profile.body.history.map((h: { state: string }) => h.state)).toEqual(['completed', 'completed']);

    const verify = await t.api('GET', '/api/audit/verify', { token: t.adminToken });
    expect(verify.body, JSON.stringify(verify.body.broken)).toMatchObject({ ok: true });
    const trail = await t.api('GET', `/api/audit?entityType=customer&entityId=${chen}`, { token: t.adminToken });
    const erase = trail.body.find((a: { action: string }) => a.action === 'customer.erase');
    expect(erase.after).toMatchObject({ reason: '客户申请删除 2026-11-20', cases: 2 });
    expect(trail.body.find((a: { action: string }) => a.action === 'customer.create').redactedAt).toEqual(expect.any(Number));
  });

  it('R40: a redacted audit row edited afterwards still breaks the chain', async () => {
    const row = await t.server.ctx.db.get<{ id: string }>(
      "SELECT id FROM audit_log WHERE entity_type = 'customer' AND entity_id = ? AND action = 'customer.create'",
      [chen],
    );
    await t.server.ctx.db.run("UPDATE audit_log SET after_digest = 'f00' WHERE id = ?", [row!.id]);
    const verify = await t.api('GET', `/api/audit/verify?entityType=customer&entityId=${chen}`, { token: t.adminToken });
    expect(verify.body.ok).toBe(false);
    expect(verify.body.broken[0].brokenAt).toBe(row!.id);
  });
});
