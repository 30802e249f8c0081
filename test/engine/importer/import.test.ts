/**
 * R37 over HTTP on a real server with the shipped definitions: a legacy spreadsheet (mixed
 * Chinese/English headers, dates in five formats, a few broken rows) gets a suggested mapping,
 * which is saved, dry-run (a report, nothing written) and imported: closed cases completed with
 * their original times (R24: analytics count them), open ones waiting at their step, legacy
 * numbers kept or recorded as externalNumber, counters advanced so a new case never collides.
 * Re-running the file creates nothing twice; a GBK CSV from Chinese Excel reads correctly; the
 * export round-trips through exceljs, masked for an agent and not for a supervisor (R39).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { HEADERS, type LegacyRow, legacyGbkCsv, legacyRows, legacyXlsx } from './legacy.ts';

const DEFINITIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../definitions');
const PROCESS = 'aftersales-feedback';

async function upload(s: TestServer, path: string, token: string, file: Buffer, fileName: string, fields: Record<string, string> = {}, lang?: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)]), fileName);
  const res = await fetch(s.url + path, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}`, ...(lang ? { 'accept-language': lang } : {}) } });
  return { status: res.status, body: (await res.json()) as any };
}

async function finished(s: TestServer, id: string, token: string) {
  for (let i = 0; i < 600; i++) {
    const r = await s.api('GET', `/api/imports/${id}`, { token });
    expect(r.status).toBe(200);
    if (!['queued', 'running'].includes(r.body.state)) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

async function download(s: TestServer, path: string, token: string, lang = 'en') {
  const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${token}`, 'accept-language': lang } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function sheets(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  return wb;
}

/** A worksheet as objects keyed by its header row. */
function records(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(1);
    out.push(Object.fromEntries(header.map((h, i) => [h, values[i] ?? null])));
  });
  return out;
}

const ms = (iso: string) => Date.parse(iso);

describe.each(await backends())('import and export of legacy cases (%s)', (backend) => {
  let s: TestServer;
  let supervisor: string;
  let agent: string;
  const rows = legacyRows();
  let xlsx: Buffer;
  const valid = rows.filter((r) => r.expect.kind !== 'broken');
  const broken = rows.filter((r) => r.expect.kind === 'broken');

  beforeAll(async () => {
    // The server's "now" is mid-June 2024, after every legacy case.
    s = await startTestServer(backend, { definitionsDir: DEFINITIONS, manualClock: true, clockStart: '2024-06-15T10:00:00+08:00' });
    supervisor = await s.user('sup', { roles: ['supervisor'], permissions: ['pii:read'] });
    agent = await s.user('agent1', { roles: ['agent'], teams: ['service-center'] });
    xlsx = await legacyXlsx(rows);
    // A case already runs in Loopdesk (it takes FB202406001, a number the legacy file also uses),
    // and analytics has seen it: historical cases count in May's reports only if the import
    // records their analytics facts itself.
    const first = await s.api('POST', '/api/instances', {
      token: supervisor,
      body: { processKey: PROCESS, data: { channel: 'phone', customerName: '新客户', orderNo: 'SO1', type: 'inquiry', urgency: 'low', description: '第一张新系统工单' } },
    });
    expect(first.body.caseNumber).toBe('FB202406001');
    const before = await s.api('GET', `/api/analytics/mix?processKey=${PROCESS}&from=2024-05-01&to=2024-06-30`, { token: supervisor });
    expect(before.body.cases).toBe(1);
  }, 120_000);
  afterAll(async () => s?.close());

  it('R37: headers in Chinese or English are mapped to the form by title, key and synonym, list values by their option titles', async () => {
    const r = await upload(s, '/api/imports/suggest-mapping', supervisor, xlsx, 'legacy.xlsx', { formKey: 'feedback-intake' });
    expect(r.status).toBe(200);
    expect(r.body.processKey).toBe(PROCESS);
    expect(r.body.columns).toMatchObject({
      工单号: 'case:number',
      'Customer Name': 'customerName',
      联系电话: 'phone',
      '紧急程度(高/中/低)': 'urgency',
      Channel: 'channel',
      问题类型: 'type',
      问题描述: 'description',
      'Order No.': 'orderNo',
      购买日期: 'purchaseDate',
      是否涉及安全隐患: 'safetyRisk',
      受理时间: 'case:openedAt',
      结案时间: 'case:closedAt',
      状态: 'case:status',
      区域: 'region',
    });
    expect(r.body.values.urgency).toMatchObject({ 中: 'normal', 低: 'low', 一般: 'normal', 紧急: 'high', 高: 'high' });
    expect(r.body.values.channel).toMatchObject({ 电话: 'phone', 在线客服: 'online-chat', 邮件: 'email', 第三方平台: 'third-party' });
    expect(r.body.values.type).toMatchObject({ 投诉: 'complaint', 咨询: 'inquiry', 故障: 'fault', 售后: 'after-sales', 建议: 'suggestion' });
    expect(r.body.values['case:status']).toMatchObject({ 已结案: 'closed', 待核实: 'verify', 处理中: 'handle', 待回访: 'callback', 待分类: 'classify' });
    expect(r.body.values.region).toMatchObject({ 未登记: null });
    expect(r.body.unresolvedValues.urgency).toEqual(['十万火急']);

    const saved = await s.api('POST', '/api/import-mappings', {
      token: supervisor,
      body: { name: 'legacy-crm', formKey: 'feedback-intake', processKey: PROCESS, columns: r.body.columns, values: r.body.values },
    });
    expect(saved.status).toBe(200);
    const list = await s.api('GET', '/api/import-mappings?formKey=feedback-intake', { token: supervisor });
    expect(list.body.items.map((m: { name: string }) => m.name)).toEqual(['legacy-crm']);
    expect((await s.api('GET', '/api/import-mappings', { token: agent })).status).toBe(403);
  });

  it('R37: a dry run validates every row with the form\'s own rules, reports row → field → error as XLSX and writes no case', async () => {
    const start = await upload(s, '/api/imports', supervisor, xlsx, 'legacy.xlsx', { mapping: 'legacy-crm', dryRun: 'true' });
    expect(start.status).toBe(202);
    const job = await finished(s, start.body.id, supervisor);
    expect(job).toMatchObject({ state: 'done', dryRun: true, totalRows: rows.length, rowsDone: rows.length, imported: valid.length, invalid: broken.length, duplicates: 0 });
    // Every broken row is named with the field at fault; the valid rows are not.
    const errorRows = new Map<number, string[]>();
    for (const i of job.issues.filter((i: { severity: string }) => i.severity === 'error')) errorRows.set(i.rowNo, [...(errorRows.get(i.rowNo) ?? []), i.field]);
    broken.forEach((b) => {
      const rowNo = rows.indexOf(b) + 2;
      expect(errorRows.get(rowNo), `row ${rowNo}`).toContain((b.expect as { field: string }).field);
    });
    expect(errorRows.size).toBe(broken.length);

    const report = await download(s, `/api/imports/${start.body.id}/report.xlsx`, supervisor, 'zh-CN');
    expect(report.status).toBe(200);
    expect(report.type).toContain('spreadsheetml');
    const wb = await sheets(report.bytes);
    const problems = records(wb.getWorksheet('问题明细')!);
    expect(problems.some((p) => p.行号 === rows.findIndex((r) => r.cells[2] === '12345') + 2 && p.字段 === '/phone' && p.列 === '联系电话')).toBe(true);
    const refused = records(wb.getWorksheet('未导入的行')!);
    expect(refused).toHaveLength(broken.length);
    expect(Object.keys(refused[0]!)).toEqual([...HEADERS, '原行号', '错误说明']);
    expect(String(refused.find((r) => r.工单号 === 'FB202405105')!.错误说明)).toContain('紧急程度');

    const exported = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=csv`, supervisor);
    // The header and the one case that was there before.
    expect(Papa.parse(exported.bytes.toString('utf8').replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data).toHaveLength(2);
  });

  it('R37: the real run imports valid rows as cases in their historical state and refuses the broken ones', async () => {
    const start = await upload(s, '/api/imports', supervisor, xlsx, 'legacy.xlsx', { mapping: 'legacy-crm' });
    expect(start.status).toBe(202);
    const job = await finished(s, start.body.id, supervisor);
    expect(job).toMatchObject({ state: 'done', dryRun: false, imported: valid.length, invalid: broken.length, duplicates: 0 });
    expect(job.issues).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'LD_IMPORT_NUMBER_TAKEN', value: 'FB202406001' }));

    // FB202406001 is taken by the case that was already there: that row gets a new number (below).
    for (const r of valid.filter((v) => v.expect.kind === 'open' && v.expect.number?.startsWith('FB') && v.expect.number !== 'FB202406001')) {
      const e = r.expect as { number: string; node: string; openedAt: string };
      const c = await s.api('GET', `/api/cases/${e.number}`, { token: supervisor });
      expect(c.status, e.number).toBe(200);
      expect(c.body.state).toBe('active');
      expect(c.body.startedAt).toBe(ms(e.openedAt));
      expect(c.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toEqual([e.node]);
      expect(c.body.openTasks[0].createdAt).toBe(ms(e.openedAt));
      expect(c.body.variables.feedbackIntake.caseNo).toBe(e.number);
      expect(c.body.variables.feedbackIntake.customerName).toBeTruthy();
    }
    const urgent = await s.api('GET', '/api/cases/FB202406006', { token: supervisor });
    expect(urgent.body.variables.feedbackIntake).toMatchObject({ urgency: 'high', safetyRisk: true, customerName: 'Mary Chen', purchaseDate: '2024-03-01' });
    // A case at "handle" went through routing: the handling group was set by the process.
    expect((await s.api('GET', '/api/cases/FB202406003', { token: supervisor })).body.openTasks[0].candidateGroups).toEqual(['product']);

    // The broken rows are not cases.
    expect((await s.api('GET', '/api/cases/FB202405102', { token: supervisor })).status).toBe(404);
  });

  it('R24: closed legacy cases are completed with their original intake and closing times, so analytics include them', async () => {
    for (const r of valid.filter((v) => v.expect.kind === 'closed')) {
      const e = r.expect as { number: string; openedAt: string; closedAt: string };
      const c = await s.api('GET', `/api/cases/${e.number}`, { token: supervisor });
      expect(c.status, e.number).toBe(200);
      expect({ state: c.body.state, startedAt: c.body.startedAt, endedAt: c.body.endedAt }, e.number).toEqual({ state: 'completed', startedAt: ms(e.openedAt), endedAt: ms(e.closedAt) });
      expect(c.body.openTasks).toEqual([]);
    }
    const one = await s.api('GET', '/api/cases/FB202405003', { token: supervisor });
    expect(one.body.variables.feedbackIntake).toMatchObject({ caseNo: 'FB202405003', purchaseDate: '2024-01-10', urgency: 'normal', channel: 'app', type: 'after-sales' });
    const mix = await s.api('GET', `/api/analytics/mix?processKey=${PROCESS}&from=2024-05-01&to=2024-05-31`, { token: supervisor });
    expect(mix.status).toBe(200);
    expect(mix.body.cases).toBe(30);
    // 未登记 is the region option whose value is null.
    expect((await s.api('GET', '/api/cases/FB202405004', { token: supervisor })).body.variables.feedbackIntake.region).toBeNull();
  });

  it('R37: legacy numbers in the process format are kept, others become externalNumber, and new cases never collide', async () => {
    const exported = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=xlsx`, supervisor);
    const cases = records((await sheets(exported.bytes)).getWorksheet('Cases')!);
    // June's numbers up to 006 are legacy ones: cases without a usable number come after them, in
    // the month they were opened — the one whose number was taken, the one outside the format, the
    // one without a number.
    const numberOf = (pick: (c: Record<string, unknown>) => boolean) => cases.find(pick)?.['Case number'];
    expect(numberOf((c) => c['External number'] === 'FB202406001')).toBe('FB202406007');
    expect(numberOf((c) => c['External number'] === 'LEGACY-0042')).toBe('FB202406008');
    expect(numberOf((c) => c['Customer name'] === '钱多多')).toBe('FB202406009');
    expect(numberOf((c) => c['Case number'] === 'FB202406001' && c['Customer name'] === '新客户')).toBe('FB202406001');
    const started = await s.api('POST', '/api/instances', {
      token: supervisor,
      body: { processKey: PROCESS, data: { channel: 'phone', customerName: '新客户', orderNo: 'SO1', type: 'inquiry', urgency: 'low', description: '新的咨询工单内容' } },
    });
    expect(started.status).toBe(201);
    expect(started.body.caseNumber).toBe('FB202406010');
  });

  it('R37: importing the same file again creates nothing twice', async () => {
    const before = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=csv`, supervisor);
    const start = await upload(s, '/api/imports', supervisor, xlsx, 'legacy.xlsx', { mapping: 'legacy-crm' });
    const job = await finished(s, start.body.id, supervisor);
    expect(job).toMatchObject({ state: 'done', imported: 0, duplicates: valid.length, invalid: broken.length });
    expect(job.issues.find((i: { severity: string }) => i.severity === 'duplicate').code).toBe('LD_IMPORT_ALREADY_IMPORTED');
    const after = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=csv`, supervisor);
    expect(after.bytes.equals(before.bytes)).toBe(true);
  });

  it('R37: a GBK-encoded CSV saved by Chinese Excel reads correctly and imports like the workbook', async () => {
    const extra: LegacyRow[] = legacyRows()
      .filter((r) => r.expect.kind === 'closed')
      .slice(0, 5)
      .map((r, i) => ({ ...r, cells: r.cells.map((c, k) => (k === 0 ? `FB202404${String(i + 1).padStart(3, '0')}` : k === 10 ? `2024-04-0${i + 1} 09:00` : k === 11 ? `2024-04-0${i + 1} 18:00` : c)) }));
    const csv = legacyGbkCsv(extra);
    expect(csv.toString('utf8')).not.toContain('客户');
    const suggestion = await upload(s, '/api/imports/suggest-mapping', supervisor, csv, 'legacy.csv', { processKey: PROCESS });
    expect(suggestion.body).toMatchObject({ encoding: 'gb18030', headers: HEADERS, rows: 5 });
    const start = await upload(s, '/api/imports', supervisor, csv, 'legacy.csv', { mapping: 'legacy-crm' });
    const job = await finished(s, start.body.id, supervisor);
    expect(job).toMatchObject({ state: 'done', imported: 5, invalid: 0 });
    const c = await s.api('GET', '/api/cases/FB202404002', { token: supervisor });
    expect(c.body).toMatchObject({ state: 'completed', startedAt: ms('2024-04-02T09:00:00+08:00'), endedAt: ms('2024-04-02T18:00:00+08:00') });
    expect(c.body.variables.feedbackIntake.customerName).toBe(extra[1]!.cells[1]);
    expect(c.body.variables.feedbackIntake.description).toBe(extra[1]!.cells[6]);
  });

  it('R39: the export is masked for an agent and not for a supervisor with pii:read, and round-trips through exceljs', async () => {
    const sup = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=xlsx&from=2024-06-01&to=2024-06-30`, supervisor);
    expect(sup.status).toBe(200);
    expect(sup.disposition).toContain('attachment');
    const supWb = await sheets(sup.bytes);
    const supCases = records(supWb.getWorksheet('Cases')!);
    const mine = supCases.find((c) => c['Case number'] === 'FB202406005')!;
    expect(mine).toMatchObject({ 'Customer name': '孙丽', Phone: '13912345678', Status: 'open' });
    expect(String(mine['Current step'])).toContain('Verify');
    expect(mine['Opened at']).toEqual(new Date(Date.UTC(2024, 5, 5, 9, 30)));
    const visits = records(supWb.getWorksheet('Node visits')!);
    expect(visits.filter((v) => v['Case number'] === 'FB202406002').map((v) => v.Node)).toEqual(['start', 'handle']);

    const ag = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=xlsx`, agent);
    const agCases = records((await sheets(ag.bytes)).getWorksheet('Cases')!);
    // The agent sees the cases queued for their group, with contact data masked.
    expect(agCases.map((c) => c['Case number']).sort()).toEqual(expect.arrayContaining(['FB202406004', 'FB202406005', 'FB202406006', 'FB202406007']));
    expect(agCases.some((c) => c['Case number'] === 'FB202405001')).toBe(false);
    const masked = agCases.find((c) => c['Case number'] === 'FB202406005')!;
    expect(masked).toMatchObject({ 'Customer name': '孙*', Phone: '139****5678' });
    expect(Object.keys(masked)).not.toContain('Internal note (supervisors only)');

    // Chinese headers for zh-CN, and an export imports again with a suggested mapping.
    const zh = await download(s, `/api/exports/cases?processKey=${PROCESS}&format=csv&from=2024-05-01&to=2024-05-31`, supervisor, 'zh-CN');
    expect(zh.type).toContain('text/csv');
    const parsed = Papa.parse<string[]>(zh.bytes.toString('utf8').replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;
    expect(parsed[0]!.slice(0, 6)).toEqual(['反馈编号', '状态', '当前节点', '处理人', '受理时间', '结案时间']);
    expect(parsed).toHaveLength(1 + 30);
    const again = await upload(s, '/api/imports/suggest-mapping', supervisor, zh.bytes, 'export.csv', { processKey: PROCESS });
    expect(again.body.columns).toMatchObject({ 反馈编号: 'case:number', 状态: 'case:status', 受理时间: 'case:openedAt', 结案时间: 'case:closedAt', 客户姓名: 'customerName', 联系电话: 'phone' });
  });

  it('R37: importing is for supervisors and admins; a file that is neither XLSX nor CSV is refused', async () => {
    const denied = await upload(s, '/api/imports', agent, xlsx, 'legacy.xlsx', { mapping: 'legacy-crm' });
    expect(denied.status).toBe(403);
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
    const refused = await upload(s, '/api/imports', supervisor, xls, 'old.xls', { mapping: 'legacy-crm' }, 'zh-CN');
    expect(refused.status).toBe(415);
    expect(refused.body.code).toBe('LD_IMPORT_FILE_UNSUPPORTED');
    const noIntake = await upload(s, '/api/imports', supervisor, xlsx, 'legacy.xlsx', {
      mapping: JSON.stringify({ formKey: 'feedback-intake', columns: { 'Customer Name': 'customerName' } }),
      processKey: PROCESS,
    });
    expect(noIntake.status).toBe(422);
    expect(noIntake.body.code).toBe('LD_IMPORT_MAPPING_INCOMPLETE');
  });
});
