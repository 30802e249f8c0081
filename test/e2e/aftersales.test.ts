/**
 * The shipped after-sales desk end to end, through the HTTP API only, with what `npm start` loads
 * from definitions/: document 002's example (an air conditioner that stopped cooling after three
 * months) from intake to the 7-day follow-up, and a case reopened on a score of 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const definitionsDir = new URL('../../definitions', import.meta.url).pathname;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(await backends())('the shipped after-sales desk on %s', (backend) => {
  let s: TestServer;
  let zhang: string;
  let wang: string;
  let li: string;
  let zhou: string;
  let customerId: string;

  beforeAll(async () => {
    // Monday 6 May 2024, 10:00 in Shanghai: the month of the documents' example number FB202405001.
    s = await startTestServer(backend, { definitionsDir, manualClock: true, clockStart: '2024-05-06T10:00:00+08:00' });
    zhang = await s.user('zhang', { teams: ['service-center'], departments: ['service'] });
    zhou = await s.user('zhou', { teams: ['service-center'], departments: ['service'] });
    wang = await s.user('wang', { teams: ['aftersales-tech'], departments: ['aftersales'] });
    li = await s.user('li', { roles: ['supervisor'], teams: ['supervisors'], departments: ['aftersales'] });
    const c = await s.api('POST', '/api/customers', {
      token: zhang,
      body: { name: '陈小明', company: '星辰科技有限公司', phone: '13812345678', email: 'chen@example.com', region: '华东' },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    customerId = c.body.id;
  });
  afterAll(async () => s?.close());

  const openTask = async (token: string, id: string, nodeId: string) => {
    const inst = await s.api('GET', `/api/instances/${id}`, { token });
    expect(inst.status, JSON.stringify(inst.body)).toBe(200);
    const task = inst.body.openTasks.find((t: { nodeId: string }) => t.nodeId === nodeId);
    expect(task, `open ${nodeId}: ${JSON.stringify(inst.body.openTasks.map((t: { nodeId: string }) => t.nodeId))}`).toBeTruthy();
    return task;
  };
  const complete = async (token: string, id: string, nodeId: string, data: Record<string, unknown> = {}) => {
    const task = await openTask(token, id, nodeId);
    const r = await s.api('POST', `/api/tasks/${task.id}/complete`, { token, body: { data } });
    expect(r.status, `${nodeId}: ${JSON.stringify(r.body)}`).toBe(200);
    return task;
  };
  /** Re-submits a task's form exactly as the server showed it (masked values included). */
  const confirmForm = async (token: string, id: string, nodeId: string) => {
    const task = await openTask(token, id, nodeId);
    const form = await s.api('GET', `/api/tasks/${task.id}/form`, { token });
    expect(form.status).toBe(200);
    const r = await s.api('POST', `/api/tasks/${task.id}/complete`, { token, body: { data: form.body.data } });
    expect(r.status, `${nodeId}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  const advance = async (d: string) => expect((await s.api('POST', '/api/admin/clock', { token: s.adminToken, body: { advance: d } })).status).toBe(200);
  const intake = (orderNo: string) => ({
    customerId,
    channel: 'phone',
    customerName: '陈小明',
    productModel: 'KFR-35GW 空调',
    orderNo,
    serialNo: 'ABC56',
    purchaseDate: '2024-02-01',
    type: 'complaint',
    urgency: 'normal',
    description: '空调使用3个月后制冷效果差，联系售后未得到解决，要求尽快处理。',
  });
  const handling = {
    responsibleDepartment: 'aftersales-tech',
    responsiblePerson: '王工',
    assignedAt: '2024-05-06T11:00:00+08:00',
    expectedCompletion: '2024-05-08T18:00:00+08:00',
    cause: '压缩机故障',
    diagnosis: '上门检测：压缩机启动电流异常，制冷剂压力正常',
    solutionOptions: [
      { title: '免费维修', pros: '无费用', cons: '需3天', recommended: false },
      { title: '更换压缩机并延保1年', pros: '次日完成', cons: '需预约上门', recommended: true },
    ],
    chosenSolution: '上门更换压缩机，提供1年延保服务',
    resolved: true,
    majorRepair: true,
    engineerName: '王工',
    completedAt: '2024-05-07T16:00:00+08:00',
    conductChecklist: { empathy: true, noDeflectingPhrases: true, askedAnythingElse: true },
  };

  let firstCase: string;

  it('R1: a phone complaint is registered as FB202405001 and the customer profile is pulled in', async () => {
    const r = await s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake('SO20240115001') } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.caseNumber).toBe('FB202405001');
    firstCase = r.body.id;
    const byNumber = await s.api('GET', '/api/cases/FB202405001', { token: zhang });
    expect(byNumber.status).toBe(200);
    const data = byNumber.body.variables.feedbackIntake;
    expect(data.caseNo).toBe('FB202405001');
    expect(data.region).toBe('华东');
    // R39: the agent sees the linked contact data masked.
    expect(data.phone).toBe('138****5678');
    expect(JSON.stringify(byNumber.body)).not.toContain('13812345678');
  });

  it('R2: the same customer and order again within 7 days is flagged as a likely duplicate, not blocked', async () => {
    const r = await s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake('SO20240115001') } });
    expect(r.status).toBe(201);
    expect(r.body.caseNumber).toBe('FB202405002');
    expect(r.body.duplicateOf).toBe('FB202405001');
    const other = await s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake('SO-OTHER-ORDER') } });
    expect(other.body.duplicateOf).toBeNull();
  });

  it('R10: verified and classified, the complaint is routed to the after-sales technical team and dispatched to an engineer', async () => {
    await complete(zhang, firstCase, 'verify');
    await confirmForm(zhang, firstCase, 'classify');
    const task = await openTask(wang, firstCase, 'handle');
    expect(task.candidateGroups).toEqual(['aftersales-tech']);
    expect(task.assignee).toBe('wang');
    const sla = await s.api('GET', `/api/instances/${firstCase}/sla`, { token: wang });
    const byKey = Object.fromEntries(sla.body.map((c: { key: string }) => [c.key, c]));
    expect(byKey.response.state).toBe('met');
    expect(byKey.resolution.state).toBe('running');
    expect(byKey.resolution.targetMs).toBe(72 * 3_600_000);
  });

  it('R16: the engineer logs the visit for the customer and resolves with two options and the checklist', async () => {
    await advance('PT2H');
    const p = await s.api('POST', `/api/instances/${firstCase}/progress`, {
      token: wang,
      body: { text: '已联系客户，安排工程师上门检测', customerVisible: true, kind: 'milestone' },
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const missingChecklist = { ...handling, conductChecklist: { empathy: true, noDeflectingPhrases: true, askedAnythingElse: false } };
    const task = await openTask(wang, firstCase, 'handle');
    const refused = await s.api('POST', `/api/tasks/${task.id}/complete`, { token: wang, body: { data: missingChecklist } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain('/conductChecklist/askedAnythingElse');
    await advance('P1D');
    await complete(wang, firstCase, 'handle', handling);
    const inst = await s.api('GET', `/api/instances/${firstCase}`, { token: wang });
    expect(inst.body.variables.handling.caseType).toBe('complaint');
    expect(inst.body.history.some((h: { nodeId: string }) => h.nodeId === 'report')).toBe(true);
  });

  it('R19: a satisfied callback closes the case after the 3- and 7-day follow-ups of a major repair', async () => {
    await complete(zhou, firstCase, 'callback', { callbackAt: '2024-05-08T10:00:00+08:00', satisfactionScore: 5, nps: 9, outcome: 'resolved-satisfied' });
    await advance('P3DT1M');
    await complete(zhou, firstCase, 'followup3');
    await advance('P4DT1M');
    await complete(zhou, firstCase, 'followup7');
    const inst = await s.api('GET', `/api/instances/${firstCase}`, { token: s.adminToken });
    expect(inst.body.state).toBe('completed');
    const visited = inst.body.history.map((h: { nodeId: string }) => h.nodeId);
    for (const node of ['start', 'verify', 'classify', 'to_tech', 'handle', 'report', 'callback', 'wait3', 'followup3', 'wait7', 'followup7', 'closed']) {
      expect(visited, node).toContain(node);
    }
    const handle = inst.body.history.find((h: { nodeId: string }) => h.nodeId === 'handle');
    expect(handle.durationMs).toBeGreaterThan(0);
    expect(handle.workingMs).not.toBeNull();
  });

  it('R3: the next case of the same customer shows the service history (outside the duplicate window now)', async () => {
    const r = await s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake('SO20240115001') } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.caseNumber).toBe('FB202405004');
    expect(r.body.duplicateOf).toBeNull();
    const inst = await s.api('GET', `/api/instances/${r.body.id}`, { token: li });
    const history = inst.body.variables.feedbackIntake.serviceHistory as { caseNo: string }[];
    expect(history.find((h) => h.caseNo === 'FB202405001')).toMatchObject({
      faultType: 'complaint',
      solution: '上门更换压缩机，提供1年延保服务',
      satisfaction: 5,
    });
  });

  it('R20: a score of 2 alerts the supervisor, escalates if nobody steps in within 1 h, and reopens handling', async () => {
    const r = await s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake('SO20240301009') } });
    const id = r.body.id as string;
    await complete(zhang, id, 'verify');
    await confirmForm(zhang, id, 'classify');
    await complete(wang, id, 'handle', { ...handling, majorRepair: false });
    await complete(zhou, id, 'callback', {
      callbackAt: '2024-05-16T10:00:00+08:00',
      satisfactionScore: 2,
      nps: 3,
      outcome: 'resolved-unsatisfied',
      reason: '维修后仍有异响',
      escalationPlan: '主管回访并安排复检',
    });
    const alert = await waitFor('the low-score alert in the supervisor inbox', async () => {
      const inbox = await s.api('GET', '/api/notifications', { token: li });
      return inbox.body.items.find((n: { template: string }) => n.template === 'low-score-alert');
    });
    // The template's blanks are filled from the case: number, score, customer.
    expect(alert.subject).toMatch(/FB202405\d{3}/);
    expect(alert.subject).toContain('2');
    expect(alert.body).toContain('陈小明');
    await advance('PT1H1M');
    const inst = await s.api('GET', `/api/instances/${id}`, { token: li });
    expect(inst.body.history.filter((h: { nodeId: string }) => h.nodeId === 'escalate_intervention')).toHaveLength(1);
    await complete(li, id, 'intervene');
    const reopened = await s.api('GET', `/api/instances/${id}`, { token: li });
    expect(reopened.body.variables.reopenCount).toBe(1);
    expect(reopened.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toContain('handle');
    expect(reopened.body.history.filter((h: { nodeId: string }) => h.nodeId === 'handle')).toHaveLength(2);
  });

  it('R1: a web form opens a case without login and gets only the case number back; the endpoint is rate-limited', async () => {
    const { customerId: _c, ...anonymous } = intake('SO-WEB-1');
    const r = await s.api('POST', '/api/public/cases', { body: { data: { ...anonymous, channel: 'web', phone: '13900001111' } } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.caseNumber).toMatch(/^FB202405\d{3}$/);
    expect(Object.keys(r.body).sort()).toEqual(['caseNumber', 'promisedContactAt']);
    const byNumber = await s.api('GET', `/api/cases/${r.body.caseNumber}`, { token: zhang });
    expect(byNumber.body.variables.feedbackIntake.channel).toBe('web');
    const burst = await Promise.all(Array.from({ length: 12 }, () => s.api('POST', '/api/public/cases', { body: { data: anonymous } })));
    expect(burst.some((b) => b.status === 429)).toBe(true);
    expect(burst.every((b) => b.status < 500)).toBe(true);
  });

  it('R1: 200 concurrent intakes get 200 distinct, gap-free case numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        s.api('POST', '/api/instances', { token: zhang, body: { processKey: 'aftersales-feedback', data: intake(`SO-C-${i}`) } }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbers = results.map((r) => r.body.caseNumber as string).sort();
    expect(new Set(numbers).size).toBe(200);
    const seqs = numbers.map((n) => Number(n.slice('FB202405'.length))).sort((a, b) => a - b);
    // Gap-free: the 200 numbers are consecutive (the ones before them went to earlier cases).
    expect(seqs.at(-1)! - seqs[0]!).toBe(199);
  });
});
