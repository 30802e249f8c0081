/**
 * The periodic report export (R24) with de-identified contact data (R39): JSON for dashboards, CSV
 * streamed with Chinese headers for zh-CN callers, XLSX opened back with exceljs.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { H, at, insertCase } from './fixtures.ts';

for (const backend of await backends()) {
  describe(`analytics report export (${backend})`, () => {
    let t: TestServer;
    let head: string;
    let wang: string;

    beforeAll(async () => {
      t = await startTestServer(backend, { manualClock: true, clockStart: '2024-05-15T10:00:00+08:00' });
      head = await t.user('head', { roles: ['supervisor'] });
      wang = await t.user('wang');
      const db = t.server.ctx.db;
      const customer = (name: string, phone: string) => ({ customerName: name, phone, type: 'fault', channel: 'phone', urgency: 'high' });
      await insertCase(db, {
        processKey: 'ex',
        caseNumber: 'FB202405001',
        startedAt: at('2024-05-07 09:30'),
        variables: { feedbackIntake: customer('陈小明', '13812345678'), handling: { responsiblePerson: 'wang', resolved: true }, callback: { satisfactionScore: 5, nps: 10 } },
        clocks: [
          { key: 'response', hours: 1.5 },
          { key: 'resolution', hours: 20 },
        ],
      });
      await insertCase(db, {
        processKey: 'ex',
        caseNumber: 'FB202405002',
        startedAt: at('2024-05-08 11:00'),
        variables: { feedbackIntake: customer('=HYPERLINK("x")', '13900001111'), handling: { responsiblePerson: 'li', resolved: false } },
      });
      await insertCase(db, { processKey: 'ex', caseNumber: 'FB202405099', startedAt: at('2024-05-14 09:00'), variables: { handling: { responsiblePerson: 'wang' } } });
    });
    afterAll(async () => t?.close());

    it('R24: the JSON report holds the last complete week with KPIs, node and SLA figures', async () => {
      const r = await t.api('GET', '/api/analytics/report?period=week&processKey=ex', { token: head });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.period).toMatchObject({ kind: 'week', label: '2024-W19', fromDate: '2024-05-06', toDate: '2024-05-12' });
      const kpi = Object.fromEntries(r.body.kpis.map((k: { metric: string; value: number }) => [k.metric, k.value]));
      expect(kpi.cases).toBe(2);
      expect(kpi['responseMs.mean']).toBe(1.5 * H);
      expect(kpi.finalResolutionRate).toBe(0.5);
      expect(r.body.sla.clocks.map((c: { key: string }) => c.key)).toEqual(['resolution', 'response']);
    });

    it('R39: the CSV case list is streamed with Chinese headers and masked contact data for a caller without pii:read', async () => {
      const res = await fetch(`${t.url}/api/analytics/report?period=week&at=2024-05-07&format=csv`, { headers: { authorization: `Bearer ${wang}`, 'accept-language': 'zh-CN,zh;q=0.9' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toContain('loopdesk-report-2024-W19.csv');
      const text = await res.text();
      const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0].split(',').slice(0, 3)).toEqual(['案例编号', '受理时间', '状态']);
      // The agent sees their own cases only.
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('FB202405001');
      expect(lines[1]).toContain('2024-05-07 09:30');
      expect(lines[1]).toContain('陈*');
      expect(lines[1]).toContain('138****5678');
      expect(text).not.toContain('13812345678');
      expect(text).not.toContain('陈小明');
    });

    it('R39: a supervisor (pii:read) gets the real values; formula-like text stays text', async () => {
      const res = await fetch(`${t.url}/api/analytics/report?period=week&at=2024-05-07&format=csv&processKey=ex`, { headers: { authorization: `Bearer ${head}` } });
      const text = await res.text();
      expect(text).toContain('Case number');
      expect(text).toContain('13812345678');
      expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    });

    it('R24: the XLSX workbook opens with exceljs, with a summary, nodes, SLA and masked case rows', async () => {
      const res = await fetch(`${t.url}/api/analytics/report?period=month&at=2024-05-10&format=xlsx`, { headers: { authorization: `Bearer ${wang}`, 'accept-language': 'zh-CN' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '节点耗时', '时效', '案例明细']);
      const cases = wb.getWorksheet('案例明细')!;
      const header = (cases.getRow(1).values as unknown[]).slice(1);
      expect(header.slice(0, 2)).toEqual(['案例编号', '受理时间']);
      const rows = [];
      for (let i = 2; i <= cases.rowCount; i++) rows.push((cases.getRow(i).values as unknown[]).slice(1));
      expect(rows.map((r) => r[0])).toEqual(['FB202405001', 'FB202405099']);
      expect(rows[0][header.indexOf('客户姓名')]).toBe('陈*');
      expect(rows[0][header.indexOf('联系电话')]).toBe('138****5678');
      expect(rows[0][header.indexOf('首次响应（小时）')]).toBe(1.5);
      const summary = wb.getWorksheet('汇总')!;
      expect(summary.getRow(4).getCell(1).value).toBe('案例数');
      expect(summary.getRow(4).getCell(2).value).toBe(2);
    });
  });
}
