/**
 * The in-app inbox through HTTP, on a real server whose dispatcher runs as in production: a BPMN
 * `notify` service task reaches the inbox of every member of a team; users see and mark only their
 * own notifications; failures (unknown recipient, e-mail without SMTP) stay visible to supervisors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../../engine/notifications/enqueue.ts';
import { backends } from '../../helpers/backends.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

// This file proves the "no SMTP configured" path; the e-mail test configures its own listener.
delete process.env.LOOPDESK_SMTP_URL;

const NOTIFY_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="notify-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="notify-desk" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="tell_desk" name="Tell the desk">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="notify" />
        <zeebe:taskHeaders>
          <zeebe:header key="to" value="team:desk" />
          <zeebe:header key="template" value="message" />
        </zeebe:taskHeaders>
        <zeebe:ioMapping>
          <zeebe:input source="=&quot;新工单：&quot; + title" target="subject" />
          <zeebe:input source="=note" target="message" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="handle" name="Handle" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tell_desk" />
    <bpmn:sequenceFlow id="f2" sourceRef="tell_desk" targetRef="handle" />
  </bpmn:process>
</bpmn:definitions>`;

for (const backend of await backends()) {
  describe(`notifications inbox over HTTP (${backend})`, () => {
    let t: TestServer;
    let wang: string;
    let li: string;
    let zhao: string;
    let head: string;

    beforeAll(async () => {
      t = await startTestServer(backend);
      wang = await t.user('wang', { teams: ['desk'], departments: ['after-sales'] });
      li = await t.user('li', { teams: ['desk'] });
      zhao = await t.user('zhao', { teams: ['field'] });
      head = await t.user('head', { roles: ['supervisor'], departments: ['after-sales'] });
    });
    afterAll(async () => {
      await t?.close();
    });

    const inbox = async (token: string, query = '') => {
      const r = await t.api('GET', `/api/notifications${query}`, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as { items: any[]; total: number; unreadCount: number };
    };
    const enqueue = (n: Parameters<typeof enqueueNotification>[1]) => t.server.ctx.db.transaction((tx) => enqueueNotification(tx, n));

    it('R0b: a BPMN notify task (to=team:desk, template=message) reaches the inbox of every team member', async () => {
      expect((await t.deploy(NOTIFY_XML)).status).toBe(201);
      const started = await t.api('POST', '/api/instances', {
        token: t.adminToken,
        body: { processKey: 'notify-desk', businessKey: 'FB202405001', variables: { title: '空调不制冷', note: '客户陈先生来电，空调不制冷，请尽快联系。' } },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const got = await waitFor('the notify task to reach wang', async () => {
        const box = await inbox(wang);
        return box.items.length > 0 && box;
      });
      expect(got.items).toHaveLength(1);
      expect(got.items[0]).toMatchObject({
        template: 'message',
        lang: 'zh-CN',
        subject: '新工单：空调不制冷',
        body: '客户陈先生来电，空调不制冷，请尽快联系。',
        instanceId: started.body.id,
        businessKey: 'FB202405001',
        readAt: null,
      });
      expect(got.unreadCount).toBe(1);
      expect((await inbox(li)).items.map((n) => n.subject)).toEqual(['新工单：空调不制冷']);
      // Not in team desk: nothing.
      expect((await inbox(zhao)).total).toBe(0);
    });

    it('R20: a low-score alert to role:supervisor lands in the supervisor inbox with the score filled in', async () => {
      await enqueue({
        to: 'role:supervisor',
        template: 'low-score-alert',
        fields: { case: { number: 'FB202405002', title: '洗衣机漏水' }, customer: { name: '陈*' }, feedback: { score: 2, nps: 4, comment: '等太久', interveneBy: '10:00' } },
      });
      const box = await waitFor('the alert', async () => {
        const b = await inbox(head, '?unread=true');
        return b.items.some((n) => n.template === 'low-score-alert') && b;
      });
      const alert = box.items.find((n) => n.template === 'low-score-alert');
      expect(alert.subject).toBe('【低分预警】工单 FB202405002 客户评分 2 分，请 1 小时内介入');
      expect(alert.body).toContain('请在 10:00 前介入处理');
      // An English recipient language is honoured when the caller asks for it.
      await enqueue({ to: 'head', template: 'low-score-alert', lang: 'en', fields: { case: { number: 'FB202405003' }, feedback: { score: 1 } } });
      const en = await waitFor('the English alert', async () => (await inbox(head)).items.find((n) => n.lang === 'en'));
      expect(en.subject).toBe('[Low score] Case FB202405003 was rated 1: intervene within 1 hour');
    });

    it('R16: mark read, unread count and read-all; nobody can read or mark another user\u2019s notification', async () => {
      await enqueue({ to: 'user:wang', template: 'message', fields: { subject: '一', message: 'm1' } });
      await enqueue({ to: 'wang', template: 'message', fields: { subject: '二', message: 'm2' } });
      const box = await waitFor('three notifications for wang', async () => {
        const b = await inbox(wang);
        return b.total === 3 && b;
      });
      expect(box.unreadCount).toBe(3);
      expect(box.items.map((n) => n.subject)).toEqual(['二', '一', '新工单：空调不制冷']);

      const first = box.items[0];
      const read = await t.api('POST', `/api/notifications/${first.id}/read`, { token: wang });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.id).toBe(first.id);
      expect(typeof read.body.readAt).toBe('number');
      // Reading again is harmless and keeps the first time.
      expect((await t.api('POST', `/api/notifications/${first.id}/read`, { token: wang })).body.readAt).toBe(read.body.readAt);

      const after = await inbox(wang);
      expect(after.unreadCount).toBe(2);
      expect((await inbox(wang, '?unread=true')).items.map((n) => n.subject)).toEqual(['一', '新工单：空调不制冷']);
      expect((await inbox(wang, '?limit=1&offset=1')).items.map((n) => n.subject)).toEqual(['一']);

      // Another user's notification does not exist for li, whatever the id.
      const other = await t.api('POST', `/api/notifications/${box.items[1].id}/read`, { token: li });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('LD_NOT_FOUND');
      expect((await inbox(wang)).unreadCount).toBe(2);

      const all = await t.api('POST', '/api/notifications/read-all', { token: wang });
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ updated: 2, unreadCount: 0 });
      expect((await inbox(wang, '?unread=true')).items).toEqual([]);
      // li's own notification is untouched by wang's read-all.
      expect((await inbox(li)).unreadCount).toBe(1);
      // Reads are audited (R40).
      const audit = await t.api('GET', '/api/audit?entityType=notification', { token: t.adminToken });
      expect(audit.body.map((a: any) => a.action)).toEqual(expect.arrayContaining(['notification.read', 'notification.read-all']));
    });

    it('R8: an unknown recipient is stored as failed with the reason, visible to supervisors, never lost', async () => {
      await enqueue({ to: 'team:nobody', template: 'sla-breach', fields: { case: { number: 'FB202405009' } } });
      await enqueue({ to: 'wang', template: 'no-such-template', fields: {} });
      const failed = await waitFor('two failed rows', async () => {
        const r = await t.api('GET', '/api/notifications/deliveries?state=failed', { token: head });
        return r.body.items?.length >= 2 && r.body;
      });
      const byRecipient = Object.fromEntries(failed.items.map((d: any) => [d.recipient, d]));
      expect(byRecipient['team:nobody']).toMatchObject({ channel: 'in-app', template: 'sla-breach', state: 'failed', lastError: 'unknown recipient: no active user has team "nobody"' });
      expect(byRecipient.wang).toMatchObject({ template: 'no-such-template', state: 'failed', lastError: 'unknown notification template "no-such-template"' });
      // Agents do not see the delivery record; an admin cannot resend an in-app row to nobody.
      expect((await t.api('GET', '/api/notifications/deliveries', { token: wang })).status).toBe(403);
      const retry = await t.api('POST', `/api/notifications/deliveries/${byRecipient['team:nobody'].id}/retry`, { token: t.adminToken });
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('LD_NOTIFICATION_NOT_RETRYABLE');
    });

    it('R8: an e-mail without SMTP configured fails with a clear error and stays visible', async () => {
      await enqueue({ to: 'customer@example.com', channel: 'email', template: 'delay-notice', fields: { case: { number: 'FB202405010' } } });
      const row = await waitFor('the e-mail to fail', async () => {
        const r = await t.api('GET', '/api/notifications/deliveries?channel=email', { token: t.adminToken });
        return r.body.items?.find((d: any) => d.recipient === 'customer@example.com' && d.state === 'failed');
      });
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/e-mail is not configured: set LOOPDESK_SMTP_URL/);
      expect(row.subject).toBe('关于您的服务单 FB202405010 的延期说明');
    });
  });
}
