/**
 * R39: personal data in notifications. The same notice about a case reaches a supervisor (who
 * holds pii:read) with the customer's name in full, an agent without pii:read and a webhook with
 * it masked — in the rendered text and in the fields kept with the delivery — and the customer's
 * own address with their own name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

describe('R39: notifications mask personal data for whoever may not read it', () => {
  let t: TestServer;
  let agent: string;
  let supervisor: string;
  let instanceId: string;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.user('wang', { teams: ['desk'] });
    supervisor = await t.user('head', { roles: ['supervisor'] });
    expect((await t.deploy(singleTaskProcess({ processId: 'masked', taskId: 'handle', taskName: 'Handle', candidateGroups: 'desk' }))).status).toBe(201);
    const customer = await t.api('POST', '/api/customers', { token: t.adminToken, body: { name: '陈小明', phone: '13812345678' } });
    expect(customer.status).toBe(201);
    const started = await t.api('POST', '/api/instances', { token: t.adminToken, body: { processKey: 'masked', businessKey: 'FB202405077', variables: { customerId: customer.body.id } } });
    expect(started.status).toBe(201);
    instanceId = started.body.id;
    await t.server.ctx.db.transaction((tx) =>
      enqueueNotification(tx, {
        to: ['wang', 'head', 'https://hooks.example.invalid/loopdesk'],
        channel: ['in-app', 'webhook'],
        template: 'delay-notice',
        instanceId,
        fields: { customer: { name: '陈小明', phone: '13812345678', email: 'chen@example.com' }, delay: { reason: '配件缺货', newDate: '2024-05-20' } },
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const inboxOf = (token: string) =>
    waitFor('the notice in the inbox', async () => {
      const r = await t.api('GET', '/api/notifications', { token });
      return r.body.items?.find((n: { template: string }) => n.template === 'delay-notice');
    });

  it('R39: an agent without pii:read reads the customer masked; a supervisor in full', async () => {
    const forAgent = await inboxOf(agent);
    expect(forAgent.body).toContain('陈*');
    expect(forAgent.body).not.toContain('陈小明');
    const forHead = await inboxOf(supervisor);
    expect(forHead.body).toContain('陈小明');
  });

  it('R39: a webhook gets masked values, in the text and in the fields it is sent', async () => {
    const rows = await waitFor('the webhook delivery', async () => {
      const r = await t.server.ctx.db.all<{ recipient: string; body: string; payload: string }>(
        "SELECT recipient, body, payload FROM notifications WHERE channel = 'webhook' AND template = 'delay-notice' AND recipient LIKE 'https://%'",
      );
      return r.length ? r : undefined;
    });
    for (const row of rows) {
      expect(row.body).not.toContain('陈小明');
      expect(row.payload).not.toContain('陈小明');
      expect(row.payload).not.toContain('13812345678');
      expect(row.payload).not.toContain('chen@example.com');
      expect(row.payload).toContain('138****5678');
    }
    // The agent's and the supervisor's rows keep what each may see.
    const stored = await t.server.ctx.db.all<{ recipient: string; payload: string }>(
      "SELECT recipient, payload FROM notifications WHERE channel = 'in-app' AND template = 'delay-notice'",
    );
    const byRecipient = Object.fromEntries(stored.map((r) => [r.recipient, r.payload]));
    expect(byRecipient.wang).not.toContain('13812345678');
    expect(byRecipient.head).toContain('13812345678');
  });

  it('R39: the customer’s own address gets their own name', async () => {
    await t.server.ctx.db.transaction((tx) =>
      enqueueNotification(tx, { to: 'chen@example.com', channel: 'email', template: 'delay-notice', instanceId, fields: { customer: { name: '陈小明' } } }),
    );
    const row = await waitFor('the e-mail row', async () =>
      t.server.ctx.db.get<{ subject: string; body: string }>("SELECT subject, body FROM notifications WHERE recipient = 'chen@example.com'"),
    );
    expect(row.body).toContain('陈小明');
  });
});
