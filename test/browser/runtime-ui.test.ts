/**
 * The runtime UI in a real browser (Debian chromium via playwright-core) against a real server on a
 * fresh SQLite file with the shipped definitions and a manual clock (Monday 6 May 2024, 10:00 in
 * Shanghai). The app is built once with the repository's vite config and served by the server itself
 * (LOOPDESK_UI_DIR). Two agents without `pii:read` and a supervisor work one case from intake to the
 * satisfaction callback through the screens only; the API is called directly only to set the scene
 * (a known customer, other cases) and to move the engine clock.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from '../helpers/bounded.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type BuiltUi, buildRuntimeUi } from './runtime-ui/build.ts';
import { noisePng } from './runtime-ui/png.ts';
import { assertChromium, launchChromium, rememberEnv } from './chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const DEFINITIONS = fileURLToPath(new URL('../../definitions', import.meta.url));

/** The customer whose contact data must never reach an agent's browser unmasked (R39). */
const CUSTOMER = { name: '周大海', phone: '13766668888', email: 'zhou.dahai@example.com', company: '海天电器有限公司', region: '华东' };
const MASKED_PHONE = '137****8888';
const MASKED_NAME = '周*';

const handlingData = {
  responsibleDepartment: 'aftersales-tech',
  responsiblePerson: '王工',
  assignedAt: '2024-05-06T11:00:00+08:00',
  expectedCompletion: '2024-05-08T18:00:00+08:00',
  diagnosis: '上门检测：压缩机启动电流异常',
  solutionOptions: [
    { title: '免费维修', pros: '无费用', cons: '需3天', recommended: false },
    { title: '更换压缩机', pros: '次日完成', cons: '需预约上门', recommended: true },
  ],
  chosenSolution: '更换压缩机',
  resolved: true,
  majorRepair: false,
  completedAt: '2024-05-06T12:00:00+08:00',
  conductChecklist: { empathy: true, noDeflectingPhrases: true, askedAnythingElse: true },
};

let built: BuiltUi;
let s: TestServer;
let browser: Browser;
const tokens: Record<string, string> = {};
const contexts: BrowserContext[] = [];
let agent: Page; // zhang, service centre
let engineer: Page; // wang, after-sales technical
let customerId: string;
let duplicateCase: string;
let urgentCase: string;
let caseNumber: string;
const problems: string[] = [];
const bodies: Promise<{ who: string; url: string; text: string }>[] = [];
const timings: Record<string, number> = {};

const restoreEnv = rememberEnv('LOOPDESK_UI_DIR', 'LOOPDESK_MAX_EVENT_LOOP_DELAY_MS');

async function newPage(who: string, options: { watchBodies?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A 4xx answer the screen handles (the 422 of a refused form) is logged by chromium too.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${who} console: ${m.text()}`);
  });
  if (options.watchBodies) {
    // Every body the browser receives, API or not, for the R39 check at the end.
    page.on('response', (res) => {
      bodies.push(
        res.body().then(
          (b) => ({ who, url: res.url(), text: b.toString('utf8') }),
          () => ({ who, url: res.url(), text: '' }),
        ),
      );
    });
  }
  return page;
}

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${s.url}/inbox`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(`${username}-password`);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: '我的待办' }).waitFor();
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}ui-${name}.png`, fullPage });
}

/** Inputs a screen reader could not name: no <label>, aria-label or aria-labelledby. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 80))`);
}

/** Whether the page is wider than the window (a horizontal scroll bar: a broken layout). */
async function overflows(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
}

async function advance(duration: string): Promise<void> {
  const r = await s.api('POST', '/api/admin/clock', { token: s.adminToken, body: { advance: duration } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const intake = (extra: Record<string, unknown>) => ({
  channel: 'phone',
  type: 'inquiry',
  urgency: 'normal',
  description: '想了解空调延保服务的价格',
  ...extra,
});

async function startCase(data: Record<string, unknown>, token = tokens.zhang!): Promise<{ id: string; caseNumber: string }> {
  const r = await s.api('POST', '/api/instances', { token, body: { processKey: 'aftersales-feedback', data } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function openTask(id: string, nodeId: string, token: string) {
  const inst = await s.api('GET', `/api/instances/${id}`, { token });
  const task = inst.body.openTasks.find((t: { nodeId: string }) => t.nodeId === nodeId);
  expect(task, `${nodeId} open in ${JSON.stringify(inst.body.openTasks)}`).toBeTruthy();
  return task as { id: string };
}

async function completeByApi(id: string, nodeId: string, token: string, data?: Record<string, unknown>) {
  const task = await openTask(id, nodeId, token);
  const body = data ?? (await s.api('GET', `/api/tasks/${task.id}/form`, { token })).body?.data ?? {};
  const r = await s.api('POST', `/api/tasks/${task.id}/complete`, { token, body: { data: body } });
  expect(r.status, `${nodeId}: ${JSON.stringify(r.body)}`).toBe(200);
}

/** The inbox row of a case's task. */
const row = (page: Page, number: string, nodeId: string) => page.locator(`.task-table tbody tr[data-node="${nodeId}"]`, { hasText: number });

async function setUp(): Promise<void> {
  assertChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  built = await buildRuntimeUi();
  timings.build = built.ms;
  process.env.LOOPDESK_UI_DIR = built.dir;
  const t = performance.now();
  // vite's build just ran in this process; the server must not take that for overload (503).
  process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = '60000';
  s = await startTestServer('sqlite', { definitionsDir: DEFINITIONS, manualClock: true, clockStart: '2024-05-06T10:00:00+08:00' });
  [tokens.zhang, tokens.wang, tokens.li] = await Promise.all([
    s.user('zhang', { teams: ['service-center'], departments: ['service'] }),
    s.user('wang', { teams: ['aftersales-tech'], departments: ['aftersales'] }),
    s.user('li', { roles: ['supervisor'], teams: ['supervisors'], departments: ['aftersales'] }),
  ]);
  timings.users = Math.round(performance.now() - t);
  const c = await s.api('POST', '/api/customers', { token: s.adminToken, body: CUSTOMER });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  customerId = c.body.id;
  // Earlier today: the same customer about the same order (R2), an urgent fault, and routine work.
  duplicateCase = (await startCase(intake({ customerId, customerName: CUSTOMER.name, orderNo: 'SO-UI-0001', type: 'fault' }))).caseNumber;
  urgentCase = (
    await startCase(intake({ customerName: '林晓', orderNo: 'SO-UI-0002', type: 'fault', urgency: 'high', safetyRisk: true, description: '空调冒烟，无法开机' }))
  ).caseNumber;
  await Promise.all(
    Array.from({ length: 28 }, (_, i) =>
      startCase(intake({ customerName: `客户${i}`, orderNo: `SO-UI-1${String(i).padStart(3, '0')}`, type: i % 3 ? 'inquiry' : 'suggestion' })),
    ),
  );
  timings.server = Math.round(performance.now() - t);
  browser = await launchChromium();
  agent = await newPage('zhang', { watchBodies: true });
  engineer = await newPage('wang', { watchBodies: true });
}

// A missing browser or a failed build fails every test with the reason — none is reported skipped.
let setupError: unknown;
beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await within('closing a browser context', c.close());
  await within('closing chromium', browser?.close());
  await within('closing the server', s?.close());
  restoreEnv();
  console.log(`runtime-ui timings (ms): ${JSON.stringify(timings)}`);
});

const step = (name: string, fn: () => Promise<void>, timeout = 30_000) =>
  it(
    name,
    async () => {
      if (setupError) throw setupError;
      const t = performance.now();
      await fn();
      timings[name.includes(':') ? name.slice(0, name.indexOf(':')) : name.slice(0, 24)] = Math.round(performance.now() - t);
    },
    timeout,
  );

describe('runtime UI', () => {
  step('R35: an agent logs in and the inbox pages their groups’ tasks soonest-breach first, with counts per queue', async () => {
    await login(agent, 'zhang');
    await expect.poll(() => agent.getByTestId('count-all').textContent()).toBe('30');
    await expect.poll(() => agent.locator('.task-table tbody tr').count()).toBe(25);
    await expect.poll(() => agent.locator('#inbox-total').textContent()).toContain('共 30 条');
    // The urgent fault (2 h response target) is due first.
    await expect.poll(() => agent.locator('.task-table tbody tr').first().textContent()).toContain(urgentCase);
    await agent.getByRole('button', { name: '下一页' }).click();
    await expect.poll(() => agent.locator('.task-table tbody tr').count()).toBe(5);
    await agent.getByRole('button', { name: '上一页' }).click();
    // Claimed from the keyboard: the button is reachable and answers Enter.
    await row(agent, urgentCase, 'verify').getByRole('button', { name: '领取' }).focus();
    await agent.keyboard.press('Enter');
    await expect.poll(() => row(agent, urgentCase, 'verify').locator('td').nth(6).textContent()).toBe('zhang');
    await expect.poll(() => agent.getByTestId('count-mine').textContent()).toBe('1');
    expect(await unlabelled(agent)).toEqual([]);
    expect(await overflows(agent)).toBeLessThanOrEqual(0);
  });

  step('R1 R2 R3 R32: a case is registered through the intake form — customer found by phone, the urgency reminder, the duplicate warning, the case number', async () => {
    await agent.getByRole('link', { name: '新建工单', exact: true }).click();
    await agent.locator('#root_description').waitFor();
    await agent.getByLabel('手机号、邮箱或姓名').fill(CUSTOMER.phone);
    await agent.getByRole('button', { name: '查找' }).click();
    await agent.getByRole('button', { name: `选用 ${MASKED_NAME}` }).click();
    await expect(agent.getByTestId('picked-customer').textContent()).resolves.toContain(MASKED_NAME);
    // The linked fields come from the profile, masked for an agent (R3, R39).
    await expect(agent.locator('#root_customerName').inputValue()).resolves.toBe(MASKED_NAME);
    await expect(agent.locator('#root_phone').inputValue()).resolves.toBe(MASKED_PHONE);
    await expect(agent.locator('#root_company').inputValue()).resolves.toBe(CUSTOMER.company);
    await agent.locator('#root_channel').selectOption({ label: '客服电话' });
    await agent.locator('#root_productModel').fill('KFR-35GW 空调');
    await agent.locator('#root_orderNo').fill('SO-UI-0001');
    await agent.getByRole('radio', { name: '投诉' }).check();
    await agent.getByRole('radio', { name: '紧急（2小时内响应）' }).check();
    // R32: urgency high → "respond within 2 h", beside the field.
    await expect.poll(() => agent.locator('[data-pointer="/urgency"] .loopdesk-reminder').allTextContents()).toContain('提醒：紧急：需2小时内响应');
    await agent.getByRole('radio', { name: '不涉及' }).check();
    await agent.locator('#root_description').fill('空调使用三个月后制冷效果差，客户要求尽快上门检测。');
    expect(await unlabelled(agent)).toEqual([]);
    expect(await overflows(agent)).toBeLessThanOrEqual(0);
    await shot(agent, 'new-case', true);
    await agent.getByRole('button', { name: '提交' }).click();
    const created = agent.getByTestId('created');
    await created.waitFor();
    caseNumber = /FB\d{9,}/.exec((await created.textContent()) ?? '')![0];
    expect(caseNumber).toMatch(/^FB202405\d{3}$/);
    // R2: same customer and order within 7 days: flagged, not blocked.
    await expect(agent.getByTestId('duplicate').textContent()).resolves.toContain(duplicateCase);
    await shot(agent, 'new-case-created');
  });

  step('R0a R12: the agent verifies and classifies the case from the inbox; the classify form shows the contact data masked and the case number read-only', async () => {
    await agent.getByRole('link', { name: '待办', exact: true }).click();
    const verify = row(agent, caseNumber, 'verify');
    await verify.getByRole('button', { name: '领取' }).click();
    await expect.poll(() => verify.locator('td').nth(6).textContent()).toBe('zhang');
    await verify.getByRole('link', { name: '核实身份' }).click();
    await agent.getByRole('button', { name: '完成任务' }).click();
    await agent.getByTestId('task-done').waitFor();

    // With the engine clock standing still, twenty-odd tasks share the next deadline; the case's
    // own page lists its open task.
    await agent.getByTestId('task-done').getByRole('link', { name: '查看工单' }).click();
    await agent.locator('.task-chip[data-node="classify"]').click();
    await agent.locator('#root_description').waitFor();
    await expect(agent.locator('#root_phone').inputValue()).resolves.toBe(MASKED_PHONE);
    await expect(agent.locator('#root_caseNo').inputValue()).resolves.toBe(caseNumber);
    expect(await agent.locator('#root_caseNo').evaluate((el: HTMLInputElement) => el.readOnly || el.disabled)).toBe(true);
    await agent.getByRole('button', { name: '提交' }).click();
    await agent.getByTestId('task-done').waitFor();
  });

  step('R0c R24: the case timeline shows wall-clock and working time per node visit, and they move with the engine clock', async () => {
    await agent.getByRole('link', { name: '查看工单' }).click();
    const handle = agent.locator('.timeline-table tr[data-node="handle"]');
    await expect.poll(() => handle.getByTestId('wall').textContent()).toBe('0 分');
    await expect(agent.getByTestId('case-customer').textContent()).resolves.toBe(MASKED_NAME);
    await expect(agent.getByTestId('case-phone').textContent()).resolves.toBe(MASKED_PHONE);
    await expect(agent.getByTestId('case-assignee').textContent()).resolves.toBe('wang');

    await advance('PT3H');
    await agent.getByTestId('case-refresh').click();
    await expect.poll(() => handle.getByTestId('wall').textContent()).toBe('3 小时');
    await expect(agent.locator('.timeline-table tr[data-node="verify"] [data-testid="working"]').textContent()).resolves.toBe('0 分');
    // The response clock stopped when verify was done; resolution (24 h for urgent) runs on.
    await expect(agent.locator('.sla-table tr[data-clock="response"]').getAttribute('data-state')).resolves.toBe('met');
    await expect(agent.locator('.sla-table tr[data-clock="resolution"]').textContent()).resolves.toContain('剩余 21 小时');

    // R19: a case whose callback asked for second handling shows the handling step twice.
    const reopened = await startCase(intake({ customerName: '郑一', orderNo: 'SO-UI-3001', type: 'complaint' }));
    await completeByApi(reopened.id, 'verify', tokens.zhang!, {});
    await completeByApi(reopened.id, 'classify', tokens.zhang!);
    await completeByApi(reopened.id, 'handle', tokens.wang!, handlingData);
    await completeByApi(reopened.id, 'callback', tokens.zhang!, {
      callbackAt: '2024-05-06T13:00:00+08:00',
      satisfactionScore: 3,
      outcome: 'needs-second-handling',
      reason: '异响仍在',
      escalationPlan: '安排工程师复检',
    });
    await agent.goto(`${s.url}/cases/${reopened.caseNumber}`);
    const visits = agent.locator('.timeline-table tr[data-node="handle"]');
    await expect.poll(() => visits.count()).toBe(2);
    await expect(visits.nth(1).textContent()).resolves.toContain('第 2 次');
    await expect(visits.nth(1).textContent()).resolves.toContain('进行中');
  });

  step('R16 R14: a progress entry for the customer, and a photo uploaded with a progress bar and shown as a preview', async () => {
    await agent.goto(`${s.url}/cases/${caseNumber}`);
    await agent.getByLabel('进度说明').fill('已联系客户，约好明天上午上门检测');
    await agent.getByLabel('同步告知客户').check();
    await agent.getByRole('button', { name: '添加进度' }).click();
    const entry = agent.locator('.progress-list li', { hasText: '约好明天上午上门检测' });
    await expect.poll(() => entry.textContent()).toContain('已告知客户');

    // A slow uplink, so the bar is seen between 0 and 100%.
    const cdp = await agent.context().newCDPSession(agent);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
    await agent.getByLabel('选择文件（照片、视频、PDF）').setInputFiles({ name: 'outdoor-unit.png', mimeType: 'image/png', buffer: noisePng(420, 420) });
    await agent.getByRole('button', { name: '上传' }).click();
    const bar = agent.locator('.upload-progress progress');
    await bar.waitFor();
    expect(Number(await bar.getAttribute('value'))).toBeLessThan(100);
    await bar.waitFor({ state: 'detached', timeout: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const preview = agent.getByRole('img', { name: '.png 预览', exact: false });
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(420);
    await cdp.detach();
  });

  step('R13: the knowledge base answers 空调不制冷 while typing, and an article is linked to the case and unlinked again', async () => {
    await agent.getByRole('link', { name: '在知识库中查找' }).click();
    const search = agent.getByLabel('搜索知识库');
    await search.pressSequentially('空调不制冷', { delay: 30 });
    // Results follow the typing: the query is split into overlapping character pairs.
    await expect.poll(() => agent.locator('.knowledge').textContent()).toContain('检索词：空调 · 调不 · 不制 · 制冷');
    const first = agent.locator('.kb-results li').first();
    await expect.poll(() => first.locator('.kb-title').textContent(), { timeout: 10_000 }).toBe('空调制冷效果差');
    await expect(first.locator('mark').count()).resolves.toBeGreaterThan(0);
    await expect.poll(() => agent.locator('.knowledge').textContent()).toContain(`正在为工单 ${caseNumber} 查找`);
    expect(await unlabelled(agent)).toEqual([]);
    expect(await overflows(agent)).toBeLessThanOrEqual(0);
    await shot(agent, 'kb-search');
    await first.locator('.kb-title').click();
    await agent.getByRole('heading', { name: '空调制冷效果差' }).waitFor();
    await agent.getByLabel('备注（如哪一步解决了问题）').fill('按第 2 步清洗滤网后恢复');
    await agent.getByRole('button', { name: '关联到此工单' }).click();
    await agent.getByTestId('kb-linked').getByRole('link', { name: caseNumber }).click();
    const linked = agent.locator('.article-links li', { hasText: '空调制冷效果差' });
    await expect.poll(() => linked.count()).toBe(1);
    await expect(linked.textContent()).resolves.toContain('按第 2 步清洗滤网后恢复');
    await linked.getByRole('button', { name: /取消关联/ }).click();
    await expect.poll(() => linked.count()).toBe(0);
  });

  step('R23: the engineer’s handling form shows the server’s 422 beside the unchecked conduct checklist item, then completes', async () => {
    // The browser checks the same rules before sending, so a correct client never reaches this
    // 422; a client holding a laxer copy of the form (here: the checklist's `required` and
    // `enum: [true]` removed from the form it receives) shows what the server answers.
    await engineer.route('**/api/tasks/*/form', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const checklist = body.schema?.properties?.conductChecklist;
      if (checklist) {
        delete checklist.required;
        delete checklist.errorMessage;
        for (const item of Object.values(checklist.properties as Record<string, Record<string, unknown>>)) delete item.enum;
      }
      await route.fulfill({ response: res, json: body });
    });
    await login(engineer, 'wang');
    const handle = row(engineer, caseNumber, 'handle');
    await expect.poll(() => handle.locator('td').nth(6).textContent()).toBe('wang');
    await handle.getByRole('link', { name: '处理' }).click();
    const f = (id: string) => engineer.locator(`#root_${id}`);
    await f('diagnosis').waitFor();
    expect(await f('caseType').evaluate((el: HTMLSelectElement) => el.disabled)).toBe(true);
    await f('responsibleDepartment').selectOption({ label: '售后技术部' });
    await f('responsiblePerson').fill('王工');
    await f('assignedAt').fill('2024-05-06T10:30');
    await f('expectedCompletion').fill('2024-05-07T10:00');
    await f('diagnosis').fill('上门检测：室外机散热片严重积灰，制冷剂压力正常');
    await f('solutionOptions_0_title').fill('清洗室外机');
    await f('solutionOptions_0_pros').fill('当天完成，免费');
    await f('solutionOptions_0_cons').fill('需上门');
    await f('solutionOptions_1_title').fill('更换室外机');
    await f('solutionOptions_1_pros').fill('彻底解决');
    await f('solutionOptions_1_cons').fill('需补差价，等待3天');
    await f('solutionOptions_0_recommended').check();
    await f('chosenSolution').fill('清洗室外机散热片并复测');
    // Choosing "resolved" swaps in the dependent fields (the radio is rendered anew): click, then
    // wait for the completion time it asks for.
    await engineer.getByRole('radio', { name: '已解决' }).click();
    await f('completedAt').fill('2024-05-06T13:30');
    await expect(engineer.getByRole('radio', { name: '已解决' }).isChecked()).resolves.toBe(true);
    await f('majorRepair-1').check();
    await f('conductChecklist_empathy').check();
    await f('conductChecklist_noDeflectingPhrases').check();
    expect(await unlabelled(engineer)).toEqual([]);
    await engineer.getByRole('button', { name: '提交' }).click();
    const beside = engineer.locator('[data-pointer="/conductChecklist/askedAnythingElse"] .error-detail');
    await expect.poll(() => beside.textContent()).toContain('结案前须确认已询问客户是否还有其他诉求');
    await expect(engineer.locator('.loopdesk-errors').textContent()).resolves.toContain('已确认客户是否还有其他诉求');
    expect(await overflows(engineer)).toBeLessThanOrEqual(0);
    await f('conductChecklist_askedAnythingElse').scrollIntoViewIfNeeded();
    await shot(engineer, 'task-form-error', true);
    await f('conductChecklist_askedAnythingElse').check();
    await engineer.getByRole('button', { name: '提交' }).click();
    await engineer.getByTestId('task-done').waitFor();
  });

  step('R19 R0c: the callback is recorded through the UI, the case closes, and the timeline has every step with its durations', async () => {
    await agent.goto(`${s.url}/cases/${caseNumber}`);
    await agent.locator('.task-chip[data-node="callback"]').click();
    await agent.getByRole('button', { name: '领取' }).click();
    await expect.poll(() => agent.getByTestId('task-assignee').textContent()).toBe('zhang');
    await agent.locator('#root_callbackAt').fill('2024-05-06T14:00');
    await agent.getByRole('radio', { name: '电话' }).check();
    await agent.getByRole('radio', { name: '5 非常满意' }).check();
    await agent.locator('#root_nps').fill('9');
    await agent.getByRole('radio', { name: '已解决（满意）' }).check();
    await agent.getByRole('button', { name: '提交' }).click();
    await agent.getByTestId('task-done').waitFor();
    await agent.getByRole('link', { name: '查看工单' }).click();
    await expect.poll(() => agent.getByTestId('case-state').textContent()).toBe('已结案');
    const nodes = await agent.locator('.timeline-table tbody tr').evaluateAll((rows: HTMLElement[]) => rows.map((r) => r.dataset.node));
    for (const node of ['start', 'verify', 'classify', 'to_tech', 'handle', 'report', 'callback', 'closed']) expect(nodes).toContain(node);
    // Handling ran 10:00–13:00 Monday: 3 h on the wall, 2 h of it working time (lunch 12:00–13:30).
    const handle = agent.locator('.timeline-table tr[data-node="handle"]');
    await expect(handle.getByTestId('wall').textContent()).resolves.toBe('3 小时');
    await expect(handle.getByTestId('working').textContent()).resolves.toBe('2 小时');
    expect(await unlabelled(agent)).toEqual([]);
    expect(await overflows(agent)).toBeLessThanOrEqual(0);
    await shot(agent, 'case-timeline', true);
  });

  step('R8: an SLA about to breach is amber and a breached one red in the inbox; the breach reaches the assignee’s notifications', async () => {
    // Now 13:00. An urgent case arriving now is due at 15:00; at 14:40 it has 20 of 120 minutes left.
    const soon = await startCase(intake({ customerName: '吴敏', orderNo: 'SO-UI-4001', type: 'fault', urgency: 'high', safetyRisk: false }));
    await advance('PT1H40M');
    await agent.getByRole('link', { name: '待办', exact: true }).click();
    await expect.poll(() => row(agent, soon.caseNumber, 'verify').locator('[data-sla]').getAttribute('data-sla')).toBe('warn');
    // The urgent fault zhang claimed at 10:00 was due at 12:00 and still waits for verification.
    await expect.poll(() => row(agent, urgentCase, 'verify').locator('[data-sla]').getAttribute('data-sla')).toBe('breach');
    await expect(row(agent, urgentCase, 'verify').locator('[data-sla]').textContent()).resolves.toContain('超时');
    await expect.poll(() => agent.getByTestId('unread-badge').count(), { timeout: 10_000 }).toBe(1);
    await shot(agent, 'inbox');
    await agent.getByTestId('nav-notifications').click();
    await expect.poll(() => agent.locator('.notification-list li.unread').count()).toBeGreaterThan(0);
    await shot(agent, 'notifications');
    await agent.getByRole('button', { name: '全部标为已读' }).click();
    await expect.poll(() => agent.getByTestId('unread-badge').count()).toBe(0);
  });

  step('R35 R40: a supervisor sees the case’s audit trail; an agent does not', async () => {
    const supervisor = await newPage('li');
    await login(supervisor, 'li');
    await supervisor.goto(`${s.url}/cases/${caseNumber}`);
    const audit = supervisor.getByTestId('audit');
    await expect.poll(() => audit.locator('tbody tr').count()).toBeGreaterThan(3);
    const actions = await audit.locator('code').allTextContents();
    expect(actions).toContain('instance.start');
    expect(actions).toContain('task.claim');
    await agent.goto(`${s.url}/cases/${caseNumber}`);
    await agent.locator('.timeline-table').waitFor();
    expect(await agent.getByTestId('audit').count()).toBe(0);
  });

  step('R36: a new agent practises the form-operation exam in the sandbox, sees the score and the mistake; the supervisor sees the result', async () => {
    await s.user('xiaozhou', { teams: ['service-center'], departments: ['service'] });
    const cases = async () => Number((await s.server.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM instances'))!.n);
    const casesBefore = await cases();
    const trainee = await newPage('xiaozhou');
    await login(trainee, 'xiaozhou');
    await trainee.getByTestId('nav-practice').click();
    const exam = trainee.locator('tr[data-exam="form-operation"]');
    await expect.poll(() => exam.getByTestId('best-score').textContent()).toContain('未参加');
    await exam.getByRole('link', { name: '开始练习' }).click();

    // 1: the live water heater — classified right, but "no safety risk" (one of four scored fields wrong).
    await expect.poll(() => trainee.getByTestId('scenario').textContent()).toContain('热水器');
    await trainee.locator('#root_channel').selectOption({ label: '客服电话' });
    await trainee.locator('#root_customerName').fill('王女士');
    await trainee.locator('#root_orderNo').fill('SO202405180001');
    await trainee.getByRole('radio', { name: '问题（技术故障报修）' }).check();
    await trainee.getByRole('radio', { name: '紧急（2小时内响应）' }).check();
    await trainee.getByRole('radio', { name: '不涉及' }).check();
    await trainee.locator('#root_description').fill('电热水器外壳漏电，洗手时手麻，已拉闸');
    expect(await unlabelled(trainee)).toEqual([]);
    await shot(trainee, 'practice-exercise', true);
    await trainee.getByRole('button', { name: '保存本题，下一题' }).click();

    // 2: a suggestion through the app.
    await expect.poll(() => trainee.getByTestId('scenario').textContent()).toContain('遥控器');
    await trainee.locator('#root_channel').selectOption({ label: 'App' });
    await trainee.locator('#root_customerName').fill('李先生');
    await trainee.locator('#root_serialNo').fill('SN8842017');
    await trainee.getByRole('radio', { name: '建议' }).check();
    await trainee.getByRole('radio', { name: '低（3个工作日内响应）' }).check();
    await trainee.locator('#root_description').fill('希望遥控器按键加夜光');
    await trainee.getByRole('button', { name: '保存本题，下一题' }).click();

    // 3: the callback with a low score; the form then asks for the reason and the next steps.
    await expect.poll(() => trainee.getByTestId('scenario').textContent()).toContain('回访');
    await trainee.locator('#root_callbackAt').fill('2024-05-20T10:00');
    await trainee.getByRole('radio', { name: '电话', exact: true }).check();
    await trainee.getByRole('radio', { name: '2 不满意' }).check();
    await trainee.getByRole('radio', { name: '待二次处理' }).check();
    await trainee.locator('#root_reason').fill('维修后仍不制冷');
    await trainee.locator('#root_escalationPlan').fill('重新派工程师上门');
    await trainee.getByRole('button', { name: '保存本题' }).click();
    await expect.poll(() => trainee.getByTestId('hand-in').isEnabled()).toBe(true);
    await trainee.getByTestId('hand-in').click();

    const result = trainee.getByTestId('attempt-result');
    await result.waitFor();
    expect(await result.getAttribute('data-passed')).toBe('false');
    expect(await trainee.getByTestId('attempt-score').textContent()).toBe('90 分（合格分 100）');
    expect(await trainee.getByTestId('mistake').allTextContents()).toEqual(['是否涉及安全隐患：应为 涉及，你填的是 不涉及']);
    expect(await overflows(trainee)).toBeLessThanOrEqual(0);
    await shot(trainee, 'practice-result', true);
    // A sandbox: no case was opened by any of it.
    expect(await cases()).toBe(casesBefore);

    const supervisor = await newPage('li');
    await login(supervisor, 'li');
    await supervisor.goto(`${s.url}/practice/form-operation/results`);
    const rowOf = supervisor.getByTestId('attempt-list').locator('tbody tr', { hasText: 'xiaozhou' });
    await expect.poll(() => rowOf.textContent()).toContain('90');
    await expect(rowOf.textContent()).resolves.toContain('未合格');
  });

  step('the language switch turns the screens into English and back', async () => {
    await agent.getByTestId('lang').selectOption('en');
    await agent.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    await agent.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expect(agent.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(agent.getByRole('navigation', { name: 'Main navigation' }).textContent()).resolves.toContain('Inbox');
    await agent.getByRole('link', { name: 'New case' }).click();
    // Field titles come from the form definition's English texts.
    await expect.poll(() => agent.locator('label[for="root_channel"]').textContent()).toContain('Channel');
    await agent.getByRole('link', { name: 'Inbox' }).click();
    await agent.getByRole('heading', { name: 'My tasks' }).waitFor();
    await agent.getByTestId('lang').selectOption('zh-CN');
    await agent.getByRole('heading', { name: '我的待办' }).waitFor();
  });

  step('the screens fit a 390×844 phone without sideways scrolling (1280×720 is checked on each screen above)', async () => {
    await agent.setViewportSize({ width: 390, height: 844 });
    await agent.goto(`${s.url}/inbox`);
    await agent.locator('.task-table tbody tr').first().waitFor();
    expect(await overflows(agent), 'inbox').toBeLessThanOrEqual(0);
    await shot(agent, 'phone-inbox');
    await agent.goto(`${s.url}/cases/${caseNumber}`);
    await agent.locator('.timeline-table tbody tr').first().waitFor();
    expect(await overflows(agent), 'case').toBeLessThanOrEqual(0);
    await shot(agent, 'phone-case', true);
    await agent.getByRole('link', { name: '新建工单', exact: true }).click();
    await agent.locator('#root_description').waitFor();
    expect(await overflows(agent), 'new case').toBeLessThanOrEqual(0);
    await agent.getByRole('link', { name: '知识库', exact: true }).click();
    await agent.getByLabel('搜索知识库').fill('空调');
    await agent.locator('.kb-results li').first().waitFor();
    expect(await overflows(agent), 'knowledge').toBeLessThanOrEqual(0);
    await agent.setViewportSize({ width: 1280, height: 720 });
  });

  step('R39: agents without pii:read never receive the customer’s name, phone or e-mail unmasked — in any response', async () => {
    const all = await Promise.all(bodies);
    expect(all.length).toBeGreaterThan(50);
    const leaks = all.filter((b) => [CUSTOMER.phone, CUSTOMER.email, CUSTOMER.name].some((v) => b.text.includes(v))).map((b) => `${b.who} ${b.url}`);
    expect(leaks).toEqual([]);
    // The check sees the customer's data at all: masked.
    expect(all.some((b) => b.text.includes(MASKED_PHONE))).toBe(true);
    expect(problems).toEqual([]);
  });
});
