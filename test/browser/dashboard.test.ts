/**
 * The supervisors' dashboard in a real browser (Debian chromium via playwright-core) against a
 * real server on a fresh SQLite file with a manual clock: cases run through a one-task process by
 * the API, then the dashboard shows the charts, the target with achieved/missed, and the BPMN
 * heatmap with an overlay and a visit-count badge on the node the cases went through. Agents get
 * no dashboard. Requirements: R24 (charts), R25/R29 (targets), R26 (time per node, heatmap).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from '../helpers/bounded.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildRuntimeUi } from './runtime-ui/build.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const CASES = 5;

/** start → 处理反馈 (desk) → end, with its diagram layout (DI): the heatmap draws the diagram. */
const FLOW = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="dash-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="dash-flow" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="handle" name="处理反馈">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="desk" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dash-diagram">
    <bpmndi:BPMNPlane id="dash-plane" bpmnElement="dash-flow">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="handle_di" bpmnElement="handle"><dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="370" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="300" y="118" /><di:waypoint x="370" y="118" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let s: TestServer;
let browser: Browser;
const problems: string[] = [];
const tokens: Record<string, string> = {};
const envBefore = { LOOPDESK_UI_DIR: process.env.LOOPDESK_UI_DIR, LOOPDESK_MAX_EVENT_LOOP_DELAY_MS: process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS };

async function newPage(who: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[34]/.test(m.text())) problems.push(`${who} console: ${m.text()}`);
  });
  return page;
}

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${s.url}/inbox`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(`${username}-password`);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '我的待办' }).waitFor();
}

async function api(method: string, path: string, token: string, body?: unknown) {
  const r = await s.api(method, path, { token, body });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

let setupError: unknown;
beforeAll(async () => {
  try {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium. This test never skips.`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const built = await buildRuntimeUi();
    process.env.LOOPDESK_UI_DIR = built.dir;
    // vite's build just ran in this process; the server must not take that for overload (503).
    process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = '60000';
    s = await startTestServer('sqlite', { manualClock: true, clockStart: '2024-05-06T10:00:00+08:00' });
    tokens.li = await s.user('li', { roles: ['supervisor'], departments: ['aftersales'] });
    tokens.zhang = await s.user('zhang', { teams: ['desk'], departments: ['service'] });
    expect((await s.deploy(FLOW)).status).toBe(201);
    // A target the cases meet: median cycle time under 2 hours (each case takes 1 hour).
    const definition = await api('GET', '/api/analytics/definition', s.adminToken);
    await api('PUT', '/api/analytics/definition', s.adminToken, {
      ...definition,
      targets: [{ key: 'cycle-2h', label: { 'zh-CN': '结案周期中位数', en: 'Median cycle time' }, metric: 'cycleMs.median', target: 'PT2H' }],
    });
    const ids: string[] = [];
    for (let i = 0; i < CASES; i++) ids.push((await api('POST', '/api/instances', tokens.zhang!, { processKey: 'dash-flow', variables: {} })).id);
    await api('POST', '/api/admin/clock', s.adminToken, { advance: 'PT1H' });
    for (const id of ids) {
      const inst = await api('GET', `/api/instances/${id}`, tokens.zhang!);
      await api('POST', `/api/tasks/${inst.openTasks[0].id}/complete`, tokens.zhang!, { data: {} });
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    setupError = error;
  }
}, 120_000);

afterAll(async () => {
  await within('closing chromium', browser?.close());
  await within('closing the server', s?.close());
  for (const [k, v] of Object.entries(envBefore)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('dashboard at /dashboard', () => {
  it('R24, R25, R26: a supervisor sees the charts, the target achieved and the heatmap on the diagram', async () => {
    if (setupError) throw setupError;
    const page = await newPage('li');
    await login(page, 'li');
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('panel-nodes').waitFor({ timeout: 30_000 });

    // Charts are drawn (ECharts' SVG renderer) with one bar per node and series.
    await page.locator('[data-testid="chart-nodes"] svg path').first().waitFor({ state: 'attached' });
    expect(await page.locator('[data-testid="chart-pareto"] svg').count()).toBe(1);
    expect(await page.getByTestId('nodes-table').locator('tr[data-node="handle"] td').nth(1).textContent()).toBe(String(CASES));
    expect(await page.getByTestId('nodes-table').locator('tr[data-node="handle"] td').nth(3).textContent()).toBe('1.0 小时');

    // The target: median cycle 1 h against 2 h → achieved.
    const target = page.getByTestId('target-cycle-2h');
    await expect.poll(() => target.getAttribute('data-achieved')).toBe('true');
    expect(await target.textContent()).toContain('已达成');

    // The heatmap: the diagram, a tint and a badge with the visit count on the task.
    const badge = page.locator('.heat-badge[data-node="handle"]');
    await badge.waitFor({ timeout: 30_000 });
    expect(await badge.textContent()).toBe(String(CASES));
    expect(await page.locator('.heat-tint[data-node="handle"]').count()).toBe(1);
    expect(await page.locator('.heatmap .djs-container svg g[data-element-id="handle"]').count()).toBe(1);
    // Events and gateways carry no overlay: the report leaves them out.
    expect(await page.locator('.heat-badge[data-node="start"]').count()).toBe(0);

    // Clicking the node's badge lists its slowest cases.
    await badge.click();
    await page.getByTestId('heat-detail').waitFor();
    expect(await page.getByTestId('heat-detail').locator('li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 90_000);

  it('R35: agents have no dashboard', async () => {
    if (setupError) throw setupError;
    const page = await newPage('zhang');
    await login(page, 'zhang');
    expect(await page.getByTestId('nav-dashboard').count()).toBe(0);
    await page.goto(`${s.url}/dashboard`);
    await page.getByTestId('dashboard-forbidden').waitFor();
    expect(await page.getByTestId('dashboard-forbidden').textContent()).toContain('主管');
    expect(problems).toEqual([]);
  }, 60_000);
});
