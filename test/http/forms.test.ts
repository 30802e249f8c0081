/**
 * Forms through the HTTP API: definitions with versions, a task that names its form, server-side
 * validation in the user's language, role-aware and masked data, old versions, field usage.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const intake = JSON.parse(readFileSync(new URL('../engine/forms/fixtures/intake.form.json', import.meta.url), 'utf8'));
/** Form data lives in the process variables under the key in camelCase (FEEL cannot name `a-b`). */
const variable = intake.key.replace(/-([a-z0-9])/g, (_: string, c: string) => c.toUpperCase());

// What an agent types: the template's example without the fields only the server or a supervisor sets.
const { caseNo: _c, department: _d, assignee: _a, assignedAt: _at, dueAt: _du, completedAt: _co, ...example } = intake.examples[0].data as Record<
  string,
  unknown
>;

const processXml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="form-flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="register" name="Register">
      <bpmn:extensionElements>
        <zeebe:formDefinition formId="${intake.key}" />
        <zeebe:assignmentDefinition candidateGroups="desk" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:formDefinition formId="${intake.key}" /><zeebe:assignmentDefinition candidateGroups="desk" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register" />
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe.each(await backends())('forms over HTTP on %s', (backend) => {
  let s: TestServer;
  let agent: string;
  let supervisor: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    const saved = await s.api('POST', '/api/forms?publish=true', { token: s.adminToken, body: intake });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect((await s.deploy(processXml)).status).toBe(201);
    agent = await s.user('agent1', { teams: ['desk'] });
    supervisor = await s.user('super1', { roles: ['supervisor'] });
  });
  afterAll(async () => s?.close());

  const startCase = async () => {
    const r = await s.api('POST', '/api/instances', { token: agent, body: { processKey: 'form-flow' } });
    expect(r.status).toBe(201);
    const tasks = await s.api('GET', `/api/tasks?instanceId=${r.body.id}&state=open`, { token: agent });
    return { instanceId: r.body.id as string, task: tasks.body.items[0] };
  };

  it('R0a: a broken definition is refused with 422 and JSON pointers, and nothing is stored', async () => {
    const broken = { ...intake, key: 'broken-form', schema: { type: 'object', properties: { a: { type: 'strin' } } }, uiSchema: { nope: {} } };
    const r = await s.api('POST', '/api/forms', { token: s.adminToken, body: broken });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('LD_FORM_INVALID');
    expect(r.body.errors.map((e: { path: string }) => e.path).join(' ')).toMatch(/\/schema|\/uiSchema/);
    expect((await s.api('GET', '/api/forms?key=broken-form', { token: s.adminToken })).body).toEqual([]);
  });

  it('R0d: the task is pinned to the form version published when it opened', async () => {
    const { task } = await startCase();
    expect(task.formId).toBe(intake.key);
    expect(task.formVersion).toBe(1);
  });

  it('R0a: invalid data is refused with 422 pointing at the field, in the caller language', async () => {
    const { task } = await startCase();
    const bad = { ...example, urgency: 'high', phone: '12' };
    const en = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: agent, body: { data: bad } });
    expect(en.status).toBe(422);
    const paths = en.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain('/safetyRisk');
    expect(paths).toContain('/phone');
    const zh = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: agent, body: { data: bad }, headers: { 'accept-language': 'zh-CN' } });
    expect(zh.status).toBe(422);
    expect(JSON.stringify(zh.body.errors)).toMatch(/[\u4e00-\u9fa5]/);
    const open = await s.api('GET', `/api/tasks/${task.id}`, { token: agent });
    expect(open.body.state).toBe('open');
  });

  it('R32: the dry run gives the same errors as completion plus the non-blocking reminder', async () => {
    const r = await s.api('POST', `/api/forms/${intake.key}/versions/1/validate`, {
      token: agent,
      body: { data: { ...example, urgency: 'high', safetyRisk: false } },
    });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(true);
    expect(r.body.reminders.map((x: { path: string }) => x.path)).toContain('/urgency');
  });

  it('R39: an agent never receives the unmasked phone; a supervisor does; sending the mask back keeps the real value', async () => {
    const { instanceId, task } = await startCase();
    const done = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: agent, body: { data: example } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(JSON.stringify(done.body)).not.toContain('13812345678');

    const asAgent = await s.api('GET', `/api/instances/${instanceId}`, { token: agent });
    expect(JSON.stringify(asAgent.body)).not.toContain('13812345678');
    expect(asAgent.body.variables[variable].phone).toBe('138****5678');
    expect(asAgent.body.variables[variable].customerName).toBe('陈*');

    const review = asAgent.body.openTasks[0];
    const form = await s.api('GET', `/api/tasks/${review.id}/form`, { token: agent });
    expect(form.status).toBe(200);
    expect(form.body.data.phone).toBe('138****5678');
    const back = await s.api('POST', `/api/tasks/${review.id}/complete`, { token: agent, body: { data: form.body.data } });
    expect(back.status, JSON.stringify(back.body)).toBe(200);

    const asSupervisor = await s.api('GET', `/api/instances/${instanceId}`, { token: supervisor });
    expect(asSupervisor.body.variables[variable].phone).toBe('13812345678');
    expect(asSupervisor.body.variables[variable].customerName).toBe('陈小明');
  });

  it('R35: a field the role may not change is refused at its path', async () => {
    const { task } = await startCase();
    const r = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: agent, body: { data: { ...example, department: '售后技术部' } } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: '/department', code: 'LD_FORM_FIELD_READ_ONLY' })]);
  });

  it('R0d: data submitted under an old version stays readable after a field is dropped in a new one', async () => {
    const { instanceId, task } = await startCase();
    expect((await s.api('POST', `/api/tasks/${task.id}/complete`, { token: agent, body: { data: example } })).status).toBe(200);
    const v2 = structuredClone(intake);
    delete v2.schema.properties.serialNo;
    v2.uiSchema['ui:order'] = v2.uiSchema['ui:order'].filter((f: string) => f !== 'serialNo');
    delete v2.uiSchema.serialNo;
    v2.migrations = [{ op: 'drop', path: '/serialNo' }];
    const saved = await s.api('POST', '/api/forms?publish=true', { token: s.adminToken, body: v2 });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.version).toBe(2);
    const old = await s.api('GET', `/api/forms/${intake.key}/versions/1`, { token: agent });
    expect(old.body.definition.schema.properties.serialNo).toBeTruthy();
    const done = await s.api('GET', `/api/tasks?instanceId=${instanceId}&state=completed`, { token: supervisor });
    expect(done.body.items[0].formVersion).toBe(1);
    expect(done.body.items[0].data.serialNo).toBe('ABC56');
  });

  it('R38: field usage counts filled and empty fields per version', async () => {
    const r = await s.api('GET', `/api/forms/${intake.key}/field-usage`, { token: supervisor });
    expect(r.status).toBe(200);
    const phone = r.body.find((u: { field: string; version: number }) => u.field === '/phone' && u.version === 1);
    expect(phone.filledCount).toBeGreaterThanOrEqual(2);
    const safety = r.body.find((u: { field: string; version: number }) => u.field === '/safetyRisk' && u.version === 1);
    expect(safety.emptyCount).toBeGreaterThanOrEqual(1);
    expect((await s.api('GET', `/api/forms/${intake.key}/field-usage`, { token: agent })).status).toBe(403);
  });
});
