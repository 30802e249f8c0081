/**
 * SLA clocks over HTTP with the manual clock, on the shipped China-mainland 2026 calendar:
 * working-time targets across the May Day holiday and a make-up Saturday, pause while waiting for
 * the customer, warning/breach escalations that fire once (also across a restart), off-hours promise.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const calendar = JSON.parse(readFileSync(new URL('../../../definitions/calendars/cn-mainland.json', import.meta.url), 'utf8'));
const policy = JSON.parse(readFileSync(new URL('./fixtures/sla-test.policy.json', import.meta.url), 'utf8'));
const processXml = readFileSync(new URL('./fixtures/sla-flow.bpmn', import.meta.url), 'utf8');

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe.each(await backends())('SLA clocks on %s', (backend) => {
  let s: TestServer;
  let wang: string;
  let databaseUrl: string;

  beforeAll(async () => {
    s = await startTestServer(backend, { manualClock: true, clockStart: '2026-04-30T10:00:00+08:00' });
    databaseUrl = s.databaseUrl;
    expect((await s.api('POST', '/api/calendars', { token: s.adminToken, body: calendar })).status).toBe(201);
    const saved = await s.api('POST', '/api/sla-policies', { token: s.adminToken, body: policy });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect((await s.deploy(processXml)).status).toBe(201);
    wang = await s.user('wang', { departments: ['aftersales'] });
    await s.user('li', { roles: ['supervisor'], departments: ['aftersales'] });
  });
  afterAll(async () => s?.close());

  const clocks = async (id: string) => {
    const r = await s.api('GET', `/api/instances/${id}/sla`, { token: s.adminToken });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return Object.fromEntries(r.body.map((c: { key: string }) => [c.key, c])) as Record<string, any>;
  };
  const moveTo = async (iso: string) => {
    const r = await s.api('POST', '/api/admin/clock', { token: s.adminToken, body: { now: iso } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const complete = async (id: string, nodeId: string) => {
    const inst = await s.api('GET', `/api/instances/${id}`, { token: wang });
    const task = inst.body.openTasks.find((t: { nodeId: string }) => t.nodeId === nodeId);
    expect(task, nodeId).toBeTruthy();
    expect((await s.api('POST', `/api/tasks/${task.id}/complete`, { token: wang, body: { data: {} } })).status).toBe(200);
  };
  const slaEvents = async (id: string) => {
    const r = await s.api('GET', `/api/audit?entityType=instance&entityId=${id}&limit=1000`, { token: s.adminToken });
    return r.body.filter((a: { action: string }) => a.action.startsWith('sla.')).map((a: { action: string; after: any }) => ({ action: a.action, ...a.after }));
  };

  let id: string;

  it('R5: a low-urgency case gets 3 working days to respond, counted around the May Day holiday', async () => {
    const r = await s.api('POST', '/api/instances', { token: wang, body: { processKey: 'sla-flow', variables: { urgency: 'low' } } });
    expect(r.status).toBe(201);
    id = r.body.id;
    const c = await clocks(id);
    // Thu 10:00 → 3 working days: 6.5 h on Thu, May 1–5 off, then Wed 7.5 h, Thu 7.5 h, Fri 1 h.
    expect(c.response.state).toBe('running');
    expect(c.response.workingTime).toBe(true);
    expect(c.response.targetMs).toBe(22.5 * H);
    expect(c.response.dueAt).toBe(at('2026-05-08T10:00:00+08:00'));
    expect(c.resolution.dueAt).toBe(at('2026-05-07T11:00:00+08:00'));
  });

  it('R7: the holiday and the night do not count as elapsed working time', async () => {
    await moveTo('2026-05-06T09:00:00+08:00');
    const c = await clocks(id);
    expect(c.response.elapsedMs).toBe(6.5 * H);
    expect(c.response.remainingMs).toBe(16 * H);
    expect(c.response.state).toBe('running');
  });

  it('R0c: node history records working time beside wall-clock time', async () => {
    await complete(id, 'register');
    const inst = await s.api('GET', `/api/instances/${id}`, { token: s.adminToken });
    const reg = inst.body.history.find((h: { nodeId: string }) => h.nodeId === 'register');
    expect(reg.durationMs).toBe(at('2026-05-06T09:00:00+08:00') - at('2026-04-30T10:00:00+08:00'));
    expect(reg.workingMs).toBe(6.5 * H);
    const c = await clocks(id);
    expect(c.response.state).toBe('met');
    expect(c.response.elapsedMs).toBe(6.5 * H);
  });

  it('R9: the resolution clock pauses while waiting for the customer and resumes after', async () => {
    await complete(id, 'handle');
    let c = await clocks(id);
    expect(c.resolution.state).toBe('paused');
    expect(c.resolution.dueAt).toBeNull();
    await moveTo('2026-05-08T09:00:00+08:00');
    c = await clocks(id);
    expect(c.resolution.elapsedMs).toBe(6.5 * H);
    await complete(id, 'waitCustomer');
    c = await clocks(id);
    expect(c.resolution.state).toBe('running');
    // 9.5 h left from Fri 09:00: 7.5 h on Friday, then 2 h on the make-up working Saturday May 9.
    expect(c.resolution.dueAt).toBe(at('2026-05-09T11:00:00+08:00'));
    expect((await slaEvents(id)).filter((e: { action: string }) => e.action === 'sla.breach')).toEqual([]);
  });

  it('R8: warning, customer delay notice and breach fire once each and reach the assignee and the department head', async () => {
    await moveTo('2026-05-09T12:00:00+08:00');
    const c = await clocks(id);
    expect(c.resolution.state).toBe('breached');
    expect(c.resolution.breachedAt).toBe(at('2026-05-09T11:00:00+08:00'));
    const events = await slaEvents(id);
    const breach = events.filter((e: { action: string; clock: string }) => e.action === 'sla.breach' && e.clock === 'resolution');
    expect(breach).toHaveLength(1);
    expect(breach[0].recipients.sort()).toEqual(['user:li', 'user:wang']);
    expect(events.filter((e: { action: string }) => e.action === 'sla.customer-notice')).toHaveLength(1);
    expect(events.filter((e: { action: string; clock: string }) => e.action === 'sla.warn' && e.clock === 'resolution')).toHaveLength(1);
  });

  it('R8: after a restart nothing fires twice and the breached clock stops as breached', async () => {
    await s.server.close();
    s = await startTestServer(backend, { manualClock: true, clockStart: '2026-05-11T10:00:00+08:00', databaseUrl });
    wang = await s.login('wang', 'wang-password');
    await moveTo('2026-05-12T10:00:00+08:00');
    const before = await slaEvents(id);
    expect(before.filter((e: { action: string }) => e.action === 'sla.breach')).toHaveLength(1);
    await complete(id, 'close');
    const c = await clocks(id);
    expect(c.resolution.state).toBe('breached');
    expect(c.resolution.stoppedAt).toBe(at('2026-05-12T10:00:00+08:00'));
    expect(await slaEvents(id)).toHaveLength(before.length);
  });

  it('R5: an urgent case must be answered within 2 wall-clock hours', async () => {
    const r = await s.api('POST', '/api/instances', { token: wang, body: { processKey: 'sla-flow', variables: { urgency: 'high' } } });
    const c = await clocks(r.body.id);
    expect(c.response.workingTime).toBe(false);
    expect(c.response.dueAt).toBe(at('2026-05-12T12:00:00+08:00'));
  });

  it('R7: a case that arrives at night is promised contact by a concrete working time', async () => {
    await moveTo('2026-05-12T19:30:00+08:00');
    const r = await s.api('POST', '/api/instances', { token: wang, body: { processKey: 'sla-flow', variables: { urgency: 'normal' } } });
    const inst = await s.api('GET', `/api/instances/${r.body.id}`, { token: s.adminToken });
    // Tuesday 19:30 → the clock starts Wednesday 09:00 → one working day later: Thursday 09:00.
    expect(inst.body.variables.promisedContactAt).toBe(new Date(at('2026-05-14T09:00:00+08:00')).toISOString());
  });
});
