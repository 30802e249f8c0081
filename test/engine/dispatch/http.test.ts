/**
 * Dispatch through the HTTP API of a real server: manual reassignment needs a reason and is audited
 * (R11), only a supervisor or the current assignee may do it, departments carry the head who answers
 * for a queue (R12), absences keep people out of dispatch, and the routing preview (R10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';

const processXml = singleTaskProcess({ processId: 'dispatch-flow', taskId: 'handle', taskName: 'Handle complaint', candidateGroups: 'aftersales-tech' });

describe.each(await backends())('dispatch over HTTP on %s', (backend) => {
  let s: TestServer;
  let wang: string;
  let li: string;
  let outsider: string;
  let supervisor: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    expect((await s.deploy(processXml)).status).toBe(201);
    wang = await s.user('wang', { teams: ['aftersales-tech'] });
    li = await s.user('li', { teams: ['aftersales-tech'] });
    outsider = await s.user('zhou', { teams: ['service-center'] });
    supervisor = await s.user('boss', { roles: ['supervisor'] });
  });
  afterAll(async () => s?.close());

  /** A new case whose task wang has claimed. */
  async function claimedTask(): Promise<string> {
    const started = await s.api('POST', '/api/instances', { token: wang, body: { processKey: 'dispatch-flow' } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const tasks = await s.api('GET', `/api/tasks?instanceId=${started.body.id}&state=open`, { token: wang });
    const id = tasks.body.items[0].id as string;
    expect((await s.api('POST', `/api/tasks/${id}/claim`, { token: wang })).status).toBe(200);
    return id;
  }

  it('R11: reassignment needs a reason', async () => {
    const id = await claimedTask();
    for (const body of [{ assignee: 'li' }, { assignee: 'li', reason: '' }, { assignee: 'li', reason: '   ' }]) {
      const r = await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('LD_VALIDATION');
    }
    expect((await s.api('GET', `/api/tasks/${id}`, { token: wang })).body.assignee).toBe('wang');
  });

  it('R11: a supervisor reassigns with a reason, and the audit trail shows before, after and why', async () => {
    const id = await claimedTask();
    const r = await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'li', reason: '王工请假，转李工处理' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id, assignee: 'li', previousAssignee: 'wang', reason: '王工请假，转李工处理', reassignedBy: 'boss' });
    expect((await s.api('GET', `/api/tasks/${id}`, { token: li })).body.assignee).toBe('li');

    const trail = await s.api('GET', `/api/audit?entityType=task&entityId=${id}`, { token: supervisor });
    expect(trail.status).toBe(200);
    const entry = trail.body.find((e: { action: string }) => e.action === 'task.reassign');
    expect(entry).toMatchObject({ actor: 'boss', before: { assignee: 'wang' }, after: { assignee: 'li', reason: '王工请假，转李工处理' } });
    // Supervisors may assign outside the task's groups.
    expect((await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'zhou', reason: '需要客服跟进' } })).status).toBe(200);
  });

  it('R11: the current assignee may hand over to a teammate, but not outside the task’s groups', async () => {
    const id = await claimedTask();
    const outside = await s.api('POST', `/api/tasks/${id}/reassign`, { token: wang, body: { assignee: 'zhou', reason: '不是我的专长' } });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('LD_DISPATCH_NOT_CANDIDATE');
    const handover = await s.api('POST', `/api/tasks/${id}/reassign`, { token: wang, body: { assignee: 'li', reason: '李工更熟悉该型号' } });
    expect(handover.status, JSON.stringify(handover.body)).toBe(200);
    // Now it is li's: wang may no longer move it.
    expect((await s.api('POST', `/api/tasks/${id}/reassign`, { token: wang, body: { assignee: 'wang', reason: '拿回来' } })).status).toBe(403);
  });

  it('R11: an agent who does not hold the task cannot reassign it (404 outside its groups, 403 inside)', async () => {
    const id = await claimedTask();
    const unrelated = await s.api('POST', `/api/tasks/${id}/reassign`, { token: outsider, body: { assignee: 'zhou', reason: '我来处理' } });
    expect(unrelated.status).toBe(404);
    const teammate = await s.api('POST', `/api/tasks/${id}/reassign`, { token: li, body: { assignee: 'li', reason: '我来处理' } });
    expect(teammate.status).toBe(403);
    expect(teammate.body.code).toBe('LD_FORBIDDEN');
    const trail = await s.api('GET', `/api/audit?entityType=task&entityId=${id}`, { token: supervisor });
    expect(trail.body.map((e: { action: string }) => e.action)).not.toContain('task.reassign');
  });

  it('R11: a completed task cannot be reassigned (409), nor can a task go to an unknown user (422)', async () => {
    const id = await claimedTask();
    const unknown = await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'nobody', reason: '测试' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].path).toBe('/body/assignee');
    expect((await s.api('POST', `/api/tasks/${id}/complete`, { token: wang, body: { data: {} } })).status).toBe(200);
    const late = await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'li', reason: '太晚了' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('LD_TASK_ALREADY_COMPLETED');
  });

  it('R11: an absent user receives no reassigned work; users record their own absences, supervisors anyone’s', async () => {
    const now = Date.now();
    const body = { from: new Date(now - 3_600_000).toISOString(), until: new Date(now + 86_400_000).toISOString(), reason: '年假' };
    expect((await s.api('POST', '/api/users/li/absences', { token: wang, body })).status).toBe(403);
    const own = await s.api('POST', '/api/users/li/absences', { token: li, body });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body).toMatchObject({ username: 'li', reason: '年假', from: body.from, until: body.until });
    expect((await s.api('GET', '/api/users/li/absences', { token: supervisor })).body).toHaveLength(1);
    const backwards = await s.api('POST', '/api/users/wang/absences', { token: supervisor, body: { ...body, from: body.until, until: body.from } });
    expect(backwards.status).toBe(422);

    const id = await claimedTask();
    const toAbsent = await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'li', reason: '转交' } });
    expect(toAbsent.status).toBe(422);
    expect(toAbsent.body.code).toBe('LD_DISPATCH_ASSIGNEE_ABSENT');

    expect((await s.api('DELETE', `/api/users/li/absences/${own.body.id}`, { token: wang })).status).toBe(403);
    expect((await s.api('DELETE', `/api/users/li/absences/${own.body.id}`, { token: li })).status).toBe(204);
    expect((await s.api('DELETE', `/api/users/li/absences/${own.body.id}`, { token: li })).status).toBe(404);
    expect((await s.api('POST', `/api/tasks/${id}/reassign`, { token: supervisor, body: { assignee: 'li', reason: '转交' } })).status).toBe(200);
  });

  it('R12: admins keep departments with the head who answers for their queues', async () => {
    const dept = { key: 'aftersales-tech', name: '售后技术部', head: 'boss' };
    expect((await s.api('POST', '/api/departments', { token: supervisor, body: dept })).status).toBe(403);
    const created = await s.api('POST', '/api/departments', { token: s.adminToken, body: dept });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const team = await s.api('POST', '/api/departments', { token: s.adminToken, body: { key: 'east-service-team', name: '华东服务团队', head: null, parent: 'aftersales-tech' } });
    expect(team.status).toBe(201);
    const cycle = await s.api('POST', '/api/departments', { token: s.adminToken, body: { ...dept, parent: 'east-service-team' } });
    expect(cycle.status).toBe(422);
    expect((await s.api('POST', '/api/departments', { token: s.adminToken, body: { ...dept, head: 'ghost' } })).status).toBe(422);
    expect((await s.api('POST', '/api/departments', { token: s.adminToken, body: { ...dept, name: '售后技术部（总部）' } })).status).toBe(200);
    const list = await s.api('GET', '/api/departments', { token: wang });
    expect(list.body).toEqual([
      expect.objectContaining({ key: 'aftersales-tech', name: '售后技术部（总部）', head: 'boss', parent: null }),
      expect.objectContaining({ key: 'east-service-team', head: null, parent: 'aftersales-tech' }),
    ]);
  });

  it('R10: the routing preview tells which group a case would go to and by which rule', async () => {
    const r = await s.api('POST', '/api/routing/preview', { token: wang, body: { data: { type: 'complaint', region: '华东' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ group: 'east-service-team', regional: true, rule: { name: 'complaint-or-fault' } });
    expect((await s.api('POST', '/api/routing/preview', { token: wang, body: { data: { type: 'inquiry' } } })).body.group).toBe('service-center');
    expect((await s.api('POST', '/api/routing/preview', { token: wang, body: {} })).status).toBe(400);
  });
});
