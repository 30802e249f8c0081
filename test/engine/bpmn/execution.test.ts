/**
 * What each BPMN element does at run time, observed through the HTTP API as a client sees it:
 * open tasks, node history with durations, instance state. Runs on SQLite and on PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const shared = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe.each(await backends())('BPMN execution on %s', (backend) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer(backend, { manualClock: true, clockStart: '2026-05-04T01:00:00Z' });
    for (const xml of [
      shared('feedback-basic.bpmn'),
      fixture('exec-parallel.bpmn'),
      fixture('exec-inclusive.bpmn'),
      fixture('exec-boundary.bpmn'),
      fixture('exec-subprocess.bpmn'),
      fixture('exec-message-terminate.bpmn'),
      fixture('exec-endless.bpmn'),
    ]) {
      const r = await s.deploy(xml);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });
  afterAll(async () => s?.close());

  const start = async (processKey: string, variables: Record<string, unknown> = {}, businessKey?: string) => {
    const r = await s.api('POST', '/api/instances', { token: s.adminToken, body: { processKey, variables, businessKey } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const instance = async (id: string) => {
    const r = await s.api('GET', `/api/instances/${id}`, { token: s.adminToken });
    expect(r.status).toBe(200);
    return r.body;
  };
  const openNodes = async (id: string) => (await instance(id)).openTasks.map((t: { nodeId: string }) => t.nodeId).sort();
  const complete = async (id: string, nodeId: string, data: Record<string, unknown> = {}) => {
    const inst = await instance(id);
    const task = inst.openTasks.find((t: { nodeId: string }) => t.nodeId === nodeId);
    expect(task, `open task ${nodeId} in ${JSON.stringify(inst.openTasks)}`).toBeTruthy();
    const r = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: s.adminToken, body: { data } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const advance = async (duration: string) => {
    const r = await s.api('POST', '/api/admin/clock', { token: s.adminToken, body: { advance: duration } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.firedJobs as number;
  };
  const visits = (inst: { history: any[] }, nodeId: string) => inst.history.filter((h) => h.nodeId === nodeId);

  it('R0c: records every node visit with entered/left times, wall-clock duration and who completed it', async () => {
    const id = await start('feedback-basic', { urgency: 'normal' });
    await advance('PT30M');
    await complete(id, 'register', { urgency: 'normal' });
    const inst = await instance(id);
    const reg = visits(inst, 'register')[0];
    expect(reg.durationMs).toBe(30 * 60 * 1000);
    expect(reg.leftAt - reg.enteredAt).toBe(reg.durationMs);
    expect(reg.completedBy).toBe('admin');
    expect(reg.outcome).toBe('completed');
    expect(visits(inst, 'gw_urgency')[0].durationMs).toBe(0);
    expect(visits(inst, 'handle')[0].leftAt).toBeNull();
  });

  it('R19: a score below 3 loops back to handling, one history row per visit', async () => {
    const id = await start('feedback-basic', { urgency: 'high' });
    await complete(id, 'register');
    await complete(id, 'handle');
    await complete(id, 'callback', { score: 2 });
    expect(await openNodes(id)).toEqual(['handle']);
    await complete(id, 'handle');
    await complete(id, 'callback', { score: 5 });
    const inst = await instance(id);
    expect(inst.state).toBe('completed');
    expect(visits(inst, 'handle')).toHaveLength(2);
    expect(visits(inst, 'callback')).toHaveLength(2);
    expect(visits(inst, 'closed')).toHaveLength(1);
    expect(inst.endedAt).not.toBeNull();
  });

  it('R0c: a parallel join waits for every branch, then continues once', async () => {
    const id = await start('exec-parallel');
    expect(await openNodes(id)).toEqual(['a', 'b']);
    await complete(id, 'a');
    expect(await openNodes(id)).toEqual(['b']);
    await complete(id, 'b');
    expect(await openNodes(id)).toEqual(['c']);
    expect(visits(await instance(id), 'join')).toHaveLength(1);
  });

  it('R0c: an inclusive join after a conditional fork waits only for the branches taken', async () => {
    const one = await start('exec-inclusive', { x: 2, y: 0 });
    expect(await openNodes(one)).toEqual(['a']);
    await complete(one, 'a');
    expect(await openNodes(one)).toEqual(['d']);

    const two = await start('exec-inclusive', { x: 2, y: 5 });
    expect(await openNodes(two)).toEqual(['a', 'b']);
    await complete(two, 'b');
    expect(await openNodes(two)).toEqual(['a']);
    await complete(two, 'a');
    expect(await openNodes(two)).toEqual(['d']);

    const none = await start('exec-inclusive', { x: 0, y: 0 });
    expect(await openNodes(none)).toEqual(['c']);
  });

  it('R8: a non-interrupting boundary timer fires while the task stays open; an interrupting one cancels it', async () => {
    const id = await start('exec-boundary');
    await advance('PT25M');
    let inst = await instance(id);
    expect(visits(inst, 'reminded')).toHaveLength(1);
    expect(await openNodes(id)).toEqual(['work']);
    await advance('PT20M');
    inst = await instance(id);
    expect(visits(inst, 'reminded')).toHaveLength(2);
    await advance('PT20M');
    inst = await instance(id);
    // R2 means two reminders; the third interval fires nothing, then the 1 h interrupting timer cancels the task.
    expect(visits(inst, 'reminded')).toHaveLength(2);
    expect(await openNodes(id)).toEqual(['escalated']);
    const work = visits(inst, 'work')[0];
    expect(work.outcome).toBe('cancelled');
    expect(work.durationMs).toBe(60 * 60 * 1000);
    const tasks = await s.api('GET', `/api/tasks?instanceId=${id}&state=cancelled`, { token: s.adminToken });
    expect(tasks.body.items.map((t: { nodeId: string }) => t.nodeId)).toEqual(['work']);
  });

  it('R8: completing the task in time disarms its boundary timers', async () => {
    const id = await start('exec-boundary');
    await complete(id, 'work');
    await advance('PT2H');
    const inst = await instance(id);
    expect(inst.state).toBe('completed');
    expect(visits(inst, 'reminded')).toHaveLength(0);
    expect(visits(inst, 'escalated')).toHaveLength(0);
  });

  it('R0c: an embedded sub-process runs its own scope and continues after it', async () => {
    const id = await start('exec-subprocess');
    expect(await openNodes(id)).toEqual(['diagnose']);
    await complete(id, 'diagnose', { partsAvailable: true });
    expect(await openNodes(id)).toEqual(['report']);
    const inst = await instance(id);
    expect(visits(inst, 'repair')[0].outcome).toBe('completed');
    expect(visits(inst, 'r_end')).toHaveLength(1);
  });

  it('R22: an error end event inside a sub-process is caught by the error boundary event', async () => {
    const id = await start('exec-subprocess');
    await complete(id, 'diagnose', { partsAvailable: false });
    expect(await openNodes(id)).toEqual(['orderParts']);
    const inst = await instance(id);
    expect(visits(inst, 'repair')[0].outcome).toBe('cancelled');
    expect(visits(inst, 'noParts')).toHaveLength(1);
  });

  it('R6: an interrupting timer on a sub-process cancels everything inside it', async () => {
    const id = await start('exec-subprocess');
    await advance('P3DT1M');
    expect(await openNodes(id)).toEqual(['escalate']);
    const inst = await instance(id);
    expect(visits(inst, 'diagnose')[0].outcome).toBe('cancelled');
    expect(visits(inst, 'repair')[0].outcome).toBe('cancelled');
  });

  it('R16: a message correlated by business key resumes the instance; a terminate end stops every branch', async () => {
    const key = `case-${backend}-${Date.now()}`;
    const id = await start('exec-message-terminate', {}, key);
    expect(await openNodes(id)).toEqual(['chase']);
    const wrong = await s.api('POST', '/api/messages', { token: s.adminToken, body: { name: 'customer-replied', businessKey: 'no-such-case' } });
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('LD_MESSAGE_NOT_CORRELATED');
    const ok = await s.api('POST', '/api/messages', {
      token: s.adminToken,
      body: { name: 'customer-replied', businessKey: key, variables: { reply: 'fixed now' } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const inst = await instance(id);
    expect(inst.state).toBe('completed');
    expect(inst.variables.status).toBe('replied: fixed now');
    expect(inst.openTasks).toEqual([]);
    expect(visits(inst, 'chase')[0].outcome).toBe('terminated');
  });

  it('R0c: an endless loop of automatic steps is cut off with a clear error and nothing is written', async () => {
    const r = await s.api('POST', '/api/instances', { token: s.adminToken, body: { processKey: 'exec-endless' } });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('LD_ENDLESS_LOOP');
    expect(r.body.errors[0].elementId).toMatch(/gw|spin/);
    const audit = await s.api('GET', '/api/audit?entityType=instance&limit=1000', { token: s.adminToken });
    const starts = audit.body.filter((a: { action: string; after: { processKey?: string } }) => a.action === 'instance.start' && a.after?.processKey === 'exec-endless');
    expect(starts).toHaveLength(0);
  });

  it('R0d: a new version does not move running instances; new instances start on it', async () => {
    const v1 = await start('exec-parallel');
    const changed = fixture('exec-parallel.bpmn').replace('name="C"', 'name="C (v2)"');
    const dep = await s.deploy(changed);
    expect(dep.status).toBe(201);
    expect(dep.body.version).toBe(2);
    const again = await s.deploy(changed);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    const v2 = await start('exec-parallel');
    expect((await instance(v1)).version).toBe(1);
    expect((await instance(v2)).version).toBe(2);
    await complete(v1, 'a');
    await complete(v1, 'b');
    const task = (await instance(v1)).openTasks[0];
    expect(task.name).toBe('C');
  });

  it('R0b: a diagram that cannot run is rejected with 422 naming each element, and nothing is deployed', async () => {
    const bad = fixture('exec-parallel.bpmn')
      .replace('id="exec-parallel"', 'id="exec-bad"')
      .replace('<bpmn:userTask id="c" name="C" />', '<bpmn:scriptTask id="c" name="C" />');
    const r = await s.deploy(bad);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('LD_BPMN_INVALID');
    expect(r.body.errors.some((e: { elementId: string }) => e.elementId === 'c')).toBe(true);
    const list = await s.api('GET', '/api/processes?key=exec-bad', { token: s.adminToken });
    expect(list.body).toEqual([]);
    const garbage = await s.deploy('<not-bpmn');
    expect(garbage.status).toBe(422);
  });
});
