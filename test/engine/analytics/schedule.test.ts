/**
 * R24: weekly and monthly reports on a schedule and on demand as an HTML page. A real server with
 * a manual clock: once a week has ended (Monday 08:00 in Shanghai) its report is generated exactly
 * once — also with two servers on one PostgreSQL — kept as a snapshot and announced to the
 * supervisors; the HTML report escapes what people typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabaseUrl } from '../../helpers/backends.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const START = '2024-05-08T10:00:00+08:00'; // a Wednesday in week 2024-W19

const FLOW = singleTaskProcess({ processId: 'report-flow', taskId: 'handle', taskName: '处理', candidateGroups: 'desk' });

async function ok(s: TestServer, method: string, path: string, token: string, body?: unknown) {
  const r = await s.api(method, path, { token, body });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

const runs = async (s: TestServer, token: string) => (await ok(s, 'GET', '/api/analytics/report-runs', token)) as { kind: string; label: string; generatedAt: number }[];

describe('R24: scheduled reports (sqlite)', () => {
  let s: TestServer;
  let supervisor: string;
  let agent: string;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { manualClock: true, clockStart: START });
    supervisor = await s.user('li', { roles: ['supervisor'] });
    agent = await s.user('zhang', { teams: ['desk'] });
    expect((await s.deploy(FLOW)).status).toBe(201);
    await ok(s, 'POST', '/api/instances', agent, { processKey: 'report-flow', variables: {} });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('R24: the reports of ended periods are generated once and announced to supervisors', async () => {
    // Week 18 and April ended before the first case: nothing to report.
    await new Promise((r) => setTimeout(r, 600));
    expect(await runs(s, supervisor)).toEqual([]);

    // Monday 07:59: week 19 is over but its report is not due yet.
    await ok(s, 'POST', '/api/admin/clock', s.adminToken, { now: '2024-05-13T07:59:00+08:00' });
    await new Promise((r) => setTimeout(r, 600));
    expect((await runs(s, supervisor)).some((r) => r.label === '2024-W19')).toBe(false);

    await ok(s, 'POST', '/api/admin/clock', s.adminToken, { now: '2024-05-13T08:00:00+08:00' });
    await waitFor('the report of W19', async () => (await runs(s, supervisor)).some((r) => r.label === '2024-W19'));
    // Further polls do not make a second one.
    await new Promise((r) => setTimeout(r, 600));
    const all = await runs(s, supervisor);
    expect(all.filter((r) => r.label === '2024-W19')).toHaveLength(1);
    expect(all).toHaveLength(1);

    const run = await ok(s, 'GET', '/api/analytics/report-runs/week/2024-W19', supervisor);
    expect(run.summary.period).toMatchObject({ kind: 'week', label: '2024-W19', fromDate: '2024-05-06', toDate: '2024-05-12' });
    expect(run.summary.kpis.length).toBeGreaterThan(5);

    const inbox = await waitFor('the supervisor’s notification', async () => {
      const page = await ok(s, 'GET', '/api/notifications', supervisor);
      const items = page.items.filter((n: { subject: string }) => n.subject.includes('2024-W19'));
      return items.length > 0 ? items : undefined;
    });
    expect(inbox).toHaveLength(1);
    expect(inbox[0].subject).toContain('服务报表');

    const html = await s.api('GET', '/api/analytics/report-runs/week/2024-W19?format=html', { token: supervisor, headers: { 'accept-language': 'en' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(String(html.body)).toContain('Weekly service report 2024-W19');

    expect((await s.api('GET', '/api/analytics/report-runs', { token: agent })).status).toBe(403);
    expect((await s.api('GET', '/api/analytics/report-runs/week/2024-W01', { token: supervisor })).status).toBe(404);
    expect((await s.api('GET', '/api/analytics/report-runs/week/not-a-week', { token: supervisor })).status).toBe(400);
  });

  it('R24, R39: the HTML report escapes what people typed', async () => {
    const cust = await ok(s, 'POST', '/api/customers', s.adminToken, { name: '<script>alert(1)</script>陈小明', phone: '13812345678' });
    const inst = await ok(s, 'POST', '/api/instances', agent, { processKey: 'report-flow', variables: { feedbackIntake: { customerId: cust.id, customerName: '<script>alert(1)</script>陈小明', phone: '13812345678', description: '<img src=x onerror=alert(2)>' } } });
    expect(inst.id).toBeTruthy();
    // The week the case started in, whichever test ran before.
    const now: string = (await ok(s, 'POST', '/api/admin/clock', s.adminToken, { advance: 'PT0S' })).now;
    const at = new Date(Date.parse(now) + 8 * 3_600_000).toISOString().slice(0, 10);
    const page = await s.api('GET', `/api/analytics/report?period=week&at=${at}&format=html`, { token: supervisor, headers: { 'accept-language': 'zh-CN' } });
    expect(page.status).toBe(200);
    const text = String(page.body);
    expect(text).toContain('服务周报 2024-W');
    // The case is listed, with its contact data masked and its text escaped.
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;陈小明');
    expect(text).not.toContain('<script>alert(1)');

    // Contact data in the case list comes from the same masked case lines as the CSV and XLSX
    // exports (test/engine/analytics/export.test.ts); a supervisor holds pii:read and sees it.
    expect(text).toContain('13812345678');
  });
});

for (const backend of (await backends()).filter((b) => b === 'postgres')) {
  describe(`R24: scheduled reports with two servers (${backend})`, () => {
    let a: TestServer;
    let b: TestServer;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await freshDatabaseUrl(backend);
      drop = db.drop;
      a = await startTestServer(backend, { manualClock: true, clockStart: START, databaseUrl: db.url });
      b = await startTestServer(backend, { manualClock: true, clockStart: START, databaseUrl: db.url });
      expect((await a.deploy(FLOW)).status).toBe(201);
      await ok(a, 'POST', '/api/instances', a.adminToken, { processKey: 'report-flow', variables: {} });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await drop?.();
    });

    it('R24, R40: two nodes generate each period’s report once and notify once', async () => {
      await Promise.all([
        ok(a, 'POST', '/api/admin/clock', a.adminToken, { now: '2024-05-13T08:00:00+08:00' }),
        ok(b, 'POST', '/api/admin/clock', b.adminToken, { now: '2024-05-13T08:00:00+08:00' }),
      ]);
      await waitFor('the report of W19', async () => (await runs(b, b.adminToken)).some((r) => r.label === '2024-W19'));
      await new Promise((r) => setTimeout(r, 800));
      const all = await runs(a, a.adminToken);
      expect(all.map((r) => r.label)).toEqual(['2024-W19']);
      const sent = await waitFor('the notification to be expanded', async () => {
        const r = await a.api('GET', '/api/notifications/deliveries', { token: a.adminToken });
        const items = r.body.items?.filter((d: { template: string }) => d.template === 'report-ready');
        return items?.length ? items : undefined;
      });
      // No supervisor exists here: one failed delivery to the role, from one node only.
      expect(sent).toHaveLength(1);
    });
  });
}
