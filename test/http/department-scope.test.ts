/**
 * R39, R40: department scoping. Cases are routed to a department's queue; an agent of department A
 * reads and works A's cases and gets, for every route that shows a case of department B, the very
 * answer a case that does not exist gets — so neither ids nor case numbers can be probed — and
 * never finds B's cases in a list. Supervisors oversee every department.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type TestServer, startTestServer } from '../helpers/server.ts';

const FLOW = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:loopdesk="http://loopdesk.dev/schema/bpmn/1.0" id="scope-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="scoped-case" isExecutable="true">
    <bpmn:extensionElements><loopdesk:caseNumber format="DS{yyyyMM}{seq:3}" /></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="handle" name="Handle">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="=department" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

const MISSING_ID = '01a00000-0000-7000-8000-000000000000';

describe('R39: department scoping of cases', () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const cases: Record<'a' | 'b', { id: string; caseNumber: string; taskId: string }> = {} as never;

  /** The 404 body with the probed identifier taken out: what must not differ. */
  const shape = (r: ApiResponse, probe: string) => ({ status: r.status, code: r.body?.code, message: String(r.body?.message).replace(probe, '<probe>') });

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    tokens.agentA = await s.user('agent-a', { departments: ['dept-a'] });
    tokens.agentB = await s.user('agent-b', { departments: ['dept-b'] });
    tokens.supervisor = await s.user('head', { roles: ['supervisor'], departments: ['dept-b'] });
    expect((await s.deploy(FLOW)).status).toBe(201);
    for (const dept of ['a', 'b'] as const) {
      const r = await s.api('POST', '/api/instances', { token: s.adminToken, body: { processKey: 'scoped-case', variables: { department: `dept-${dept}` } } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const inst = await s.api('GET', `/api/instances/${r.body.id}`, { token: s.adminToken });
      cases[dept] = { id: r.body.id, caseNumber: r.body.caseNumber, taskId: inst.body.openTasks[0].id };
    }
    expect(cases.b.caseNumber).toMatch(/^DS\d{9}$/);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('R39: an agent reads and works the cases of their own department', async () => {
    expect((await s.api('GET', `/api/instances/${cases.a.id}`, { token: tokens.agentA })).status).toBe(200);
    expect((await s.api('GET', `/api/cases/${cases.a.caseNumber}`, { token: tokens.agentA })).status).toBe(200);
    expect((await s.api('GET', `/api/tasks/${cases.a.taskId}`, { token: tokens.agentA })).status).toBe(200);
    const list = await s.api('GET', '/api/tasks', { token: tokens.agentA });
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([cases.a.taskId]);
  });

  it('R39, R40: another department’s case answers exactly like a case that does not exist', async () => {
    const a = tokens.agentA!;
    const b = cases.b;
    // By id and by number: the same 404 as for an id / number never issued.
    const byId = await s.api('GET', `/api/instances/${b.id}`, { token: a });
    const noId = await s.api('GET', `/api/instances/${MISSING_ID}`, { token: a });
    expect(shape(byId, b.id)).toEqual(shape(noId, MISSING_ID));
    expect(byId.status).toBe(404);
    const neverIssued = 'DS209912999';
    const byNumber = await s.api('GET', `/api/cases/${b.caseNumber}`, { token: a });
    const noNumber = await s.api('GET', `/api/cases/${neverIssued}`, { token: a });
    expect(shape(byNumber, b.caseNumber)).toEqual(shape(noNumber, neverIssued));
    expect(byNumber.status).toBe(404);

    // Everything hanging off the case.
    for (const path of ['attachments', 'progress', 'sla', 'articles']) {
      const r = await s.api('GET', `/api/instances/${b.id}/${path}`, { token: a });
      const missing = await s.api('GET', `/api/instances/${MISSING_ID}/${path}`, { token: a });
      expect(r.status, path).toBe(404);
      expect(shape(r, b.id), path).toEqual(shape(missing, MISSING_ID));
    }
    const note = await s.api('POST', `/api/instances/${b.id}/progress`, { token: a, body: { text: 'probe' } });
    expect(note.status).toBe(404);

    // Its task: not listed, not readable, not claimable, not completable.
    const list = await s.api('GET', '/api/tasks?state=open', { token: a });
    expect(list.body.items.some((t: { id: string }) => t.id === b.taskId)).toBe(false);
    for (const [method, path, body] of [
      ['GET', `/api/tasks/${b.taskId}`, undefined],
      ['POST', `/api/tasks/${b.taskId}/claim`, {}],
      ['POST', `/api/tasks/${b.taskId}/complete`, { data: {} }],
    ] as const) {
      const r = await s.api(method, path, { token: a, body });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    // Nothing was written by the attempts: the case still waits in department B's queue.
    const still = await s.api('GET', `/api/instances/${b.id}`, { token: tokens.agentB });
    expect(still.status).toBe(200);
    expect(still.body.openTasks[0]).toMatchObject({ id: b.taskId, assignee: null });
  });

  it('R39: a supervisor oversees every department', async () => {
    for (const dept of ['a', 'b'] as const) {
      expect((await s.api('GET', `/api/cases/${cases[dept].caseNumber}`, { token: tokens.supervisor })).status).toBe(200);
    }
  });
});
