/**
 * R37 without a server: the bytes of legacy files (UTF-8 with and without BOM, GBK from Chinese
 * Excel, XLSX with real date cells) read to the same rows; dates in the formats people type become
 * ISO 8601 in +08:00; headers and list values map by title, key and synonym; explicit value maps
 * win; a row is validated with the form's own ajv rules.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ProcessGraph } from '../../../engine/bpmn/model.ts';
import type { FormDefinition, FormVersion } from '../../../engine/forms/index.ts';
import { numberPattern, inevitable } from '../../../engine/importer/cases.ts';
import { toEpochMs, toIsoDate, toIsoDateTime } from '../../../engine/importer/dates.ts';
import { nodeMatcher, suggestColumns, suggestMapping } from '../../../engine/importer/mapping.ts';
import { compileMapping, prepareRow } from '../../../engine/importer/prepare.ts';
import { loadFirstSheet, readTable, streamFirstSheet } from '../../../engine/importer/read.ts';

const definition = JSON.parse(readFileSync(new URL('../../../definitions/forms/feedback-intake.json', import.meta.url), 'utf8')) as FormDefinition;
const form: FormVersion = { ...definition, version: 1 };

/** The shipped process's shape, enough for status → node matching. */
const graph = {
  key: 'aftersales-feedback',
  startEventId: 'start',
  nodes: {
    start: { id: 'start', type: 'startEvent', outgoing: ['f1'], incoming: [], boundaryEvents: [], scopeId: null },
    verify: { id: 'verify', name: '核实身份 Verify identity', type: 'userTask', outgoing: ['f2'], incoming: ['f1'], boundaryEvents: [], scopeId: null },
    handle: { id: 'handle', name: '处理 Handle', type: 'userTask', outgoing: ['f3'], incoming: ['f2'], boundaryEvents: [], scopeId: null },
    gw: { id: 'gw', type: 'exclusiveGateway', outgoing: ['f4', 'f5'], incoming: ['f3'], boundaryEvents: [], scopeId: null },
    callback: { id: 'callback', name: '满意度回访 Satisfaction callback', type: 'userTask', outgoing: ['f6'], incoming: ['f4'], boundaryEvents: [], scopeId: null },
    followup3: { id: 'followup3', name: '3天回访 3-day follow-up', type: 'userTask', outgoing: ['f7'], incoming: ['f5'], boundaryEvents: [], scopeId: null },
    end: { id: 'end', type: 'endEvent', outgoing: [], incoming: ['f6', 'f7'], boundaryEvents: [], scopeId: null },
  },
  flows: {
    f1: { id: 'f1', sourceRef: 'start', targetRef: 'verify' },
    f2: { id: 'f2', sourceRef: 'verify', targetRef: 'handle' },
    f3: { id: 'f3', sourceRef: 'handle', targetRef: 'gw' },
    f4: { id: 'f4', sourceRef: 'gw', targetRef: 'callback' },
    f5: { id: 'f5', sourceRef: 'gw', targetRef: 'followup3', condition: 'x' },
    f6: { id: 'f6', sourceRef: 'callback', targetRef: 'end' },
    f7: { id: 'f7', sourceRef: 'followup3', targetRef: 'end' },
  },
} as unknown as ProcessGraph;

describe('reading legacy files', () => {
  const text = '工单号,客户姓名,紧急程度\r\nFB202405001,陈小明,紧急\r\nFB202405002,"李华, 王芳",低\r\n';
  const expected = [
    ['FB202405001', '陈小明', '紧急'],
    ['FB202405002', '李华, 王芳', '低'],
  ];

  it('R37: CSV in UTF-8 with a BOM, without one, and GBK from Chinese Excel read to the same rows', async () => {
    const withBom = await readTable(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const plain = await readTable(Buffer.from(text));
    const gbk = await readTable(iconv.encode(text, 'gbk'));
    for (const t of [withBom, plain, gbk]) {
      expect(t.headers).toEqual(['工单号', '客户姓名', '紧急程度']);
      expect(t.rows.map((r) => r.cells)).toEqual(expected);
      expect(t.rows.map((r) => r.rowNo)).toEqual([2, 3]);
    }
    expect([withBom.encoding, plain.encoding, gbk.encoding]).toEqual(['utf-8', 'utf-8', 'gb18030']);
  });

  it('R37: XLSX reads the first sheet with date cells, numbers and rich text, skipping empty rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('导出');
    ws.addRow(['工单号', '受理时间', '电话', '描述']);
    ws.addRow(['FB202405001', new Date(Date.UTC(2024, 4, 1, 10, 30)), 13812345678, { richText: [{ text: '空调' }, { text: '不制冷' }] }]);
    ws.getCell('B2').numFmt = 'yyyy-mm-dd hh:mm';
    ws.addRow([]);
    ws.addRow(['FB202405002', 45413.5, '13900001111', null]);
    wb.addWorksheet('说明').addRow(['not data']);
    const t = await readTable(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(t.format).toBe('xlsx');
    expect(t.rows.map((r) => r.rowNo)).toEqual([2, 4]);
    expect(toIsoDateTime(t.rows[0]!.cells[1]!)).toBe('2024-05-01T10:30:00+08:00');
    expect(t.rows[0]!.cells.slice(2)).toEqual([13812345678, '空调不制冷']);
    expect(toIsoDateTime(t.rows[1]!.cells[1]!)).toBe('2024-05-01T12:00:00+08:00');
    // The whole-file reader, the fallback when ExcelJS's streaming reader trips, reads the same.
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await loadFirstSheet(bytes)).toEqual(await streamFirstSheet(bytes));
  });

  it('R37: a legacy .xls (OLE) file is refused with a clear code', async () => {
    await expect(readTable(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).rejects.toMatchObject({ code: 'LD_IMPORT_FILE_UNSUPPORTED', statusCode: 415 });
  });
});

describe('dates', () => {
  it.each([
    ['2024-05-01', '2024-05-01', '2024-05-01T00:00:00+08:00'],
    ['2024/5/1', '2024-05-01', '2024-05-01T00:00:00+08:00'],
    ['2024.5.1 9:05', '2024-05-01', '2024-05-01T09:05:00+08:00'],
    ['2024年5月1日', '2024-05-01', '2024-05-01T00:00:00+08:00'],
    ['2024年5月1日 10时30分', '2024-05-01', '2024-05-01T10:30:00+08:00'],
    ['2024年5月1日 18时', '2024-05-01', '2024-05-01T18:00:00+08:00'],
    ['2024/5/1 10点30', '2024-05-01', '2024-05-01T10:30:00+08:00'],
    ['2024-05-01T10:30:00Z', '2024-05-01', '2024-05-01T18:30:00+08:00'],
    ['2024-05-01 10:30:15 +0800', '2024-05-01', '2024-05-01T10:30:15+08:00'],
    ['20240501', '2024-05-01', '2024-05-01T00:00:00+08:00'],
    [45413, '2024-05-01', '2024-05-01T00:00:00+08:00'],
    [45413.4375, '2024-05-01', '2024-05-01T10:30:00+08:00'],
    ['45413', '2024-05-01', '2024-05-01T00:00:00+08:00'],
  ] as const)('R37: %s is %s / %s (+08:00 when no zone is given)', (cell, date, dateTime) => {
    expect(toIsoDate(cell)).toBe(date);
    expect(toIsoDateTime(cell)).toBe(dateTime);
  });

  it('R37: what is not a date stays undefined (the row is reported, not guessed)', () => {
    for (const v of ['上周三', '2024-13-01', '2024-02-30', 12, 'abc']) expect(toEpochMs(v)).toBeUndefined();
  });
});

describe('mappings', () => {
  it('R37: headers are matched by Chinese title, English title, field key and synonyms', () => {
    const headers = ['优先级', 'Priority', 'customerName', '联系方式', 'E-mail', '问题描述来源', '客户名称/ID', '购买时间', 'Description'];
    const cols = Object.fromEntries(suggestColumns(headers, form).map((c) => [c.header, c.target]));
    expect(cols).toMatchObject({ 优先级: 'urgency', customerName: 'customerName', 联系方式: 'phone', 'E-mail': 'email', 问题描述来源: 'channel', 购买时间: 'purchaseDate', Description: 'description' });
    // Each field is filled by one column: the second urgency header is left for the admin to decide.
    expect(cols.Priority).toBeNull();
  });

  it('R37: list values map from option titles and synonyms, explicit maps win, unknown values are listed', () => {
    const s = suggestMapping(['紧急程度', '是否涉及安全隐患', '状态'], [['高', '是', '已结案'], ['一般', '不涉及', '待回访'], ['低', '否', '处理中'], ['特别急', 'x', '挂起']], form, graph);
    expect(s.values.urgency).toEqual({ 高: 'high', 一般: 'normal', 低: 'low' });
    expect(s.values.safetyRisk).toMatchObject({ 是: true, 不涉及: false, 否: false });
    expect(s.values['case:status']).toEqual({ 已结案: 'closed', 待回访: 'callback', 处理中: 'handle' });
    expect(s.unresolvedValues).toEqual({ urgency: ['特别急'], 'case:status': ['挂起'] });
    expect(s.missingRequired).toEqual(expect.arrayContaining(['channel', 'customerName', 'type', 'description']));

    const m = compileMapping(
      { formKey: 'feedback-intake', columns: { 紧急程度: 'urgency', 受理: 'case:openedAt', 客户: 'customerName' }, values: { urgency: { 特别急: 'high', 低: 'normal' } } },
      ['紧急程度', '受理', '客户'],
      form,
      graph,
      'zh-CN',
      Date.parse('2024-06-30T00:00:00Z'),
    );
    expect(prepareRow(m, 2, ['特别急', '2024-05-01', '陈小明']).data.urgency).toBe('high');
    expect(prepareRow(m, 3, ['低', '2024-05-01', '陈小明']).data.urgency).toBe('normal');
  });

  it('R37: status words find the step: 待核实 → verify, 处理中 → handle, 待回访 → the first callback', () => {
    const match = nodeMatcher(graph);
    expect(['待核实', '处理中', '待回访', 'Handle', 'handle', '3天回访', '挂起'].map(match)).toEqual(['verify', 'handle', 'callback', 'handle', 'handle', 'followup3', undefined]);
    expect(inevitable(graph, 'handle')).toBe(true);
    expect(inevitable(graph, 'callback')).toBe(false);
  });

  it('R37: a row is validated with the form\'s own rules; problems name the row, the column and the field', () => {
    const headers = ['工单号', '客户', '电话', '紧急程度', '渠道', '类型', '描述', '订单号', '受理时间', '结案时间', '状态'];
    const m = compileMapping(
      {
        formKey: 'feedback-intake',
        columns: { 工单号: 'case:number', 客户: 'customerName', 电话: 'phone', 紧急程度: 'urgency', 渠道: 'channel', 类型: 'type', 描述: 'description', 订单号: 'orderNo', 受理时间: 'case:openedAt', 结案时间: 'case:closedAt', 状态: 'case:status' },
      },
      headers,
      form,
      graph,
      'en',
      Date.parse('2024-06-30T00:00:00Z'),
    );
    const ok = prepareRow(m, 2, ['fb202405001', '陈小明', 13812345678, '中', '电话', '投诉', '空调不制冷三天了', 'SO1', '2024/5/1 9:00', '2024年5月2日 18时', '已结案']);
    expect(ok.issues).toEqual([]);
    expect(ok).toMatchObject({ caseNumber: 'FB202405001', key: 'case:FB202405001', status: 'closed', openedAt: Date.parse('2024-05-01T09:00:00+08:00'), closedAt: Date.parse('2024-05-02T18:00:00+08:00') });
    expect(ok.data).toEqual({ customerName: '陈小明', phone: '13812345678', urgency: 'normal', channel: 'phone', type: 'complaint', description: '空调不制冷三天了', orderNo: 'SO1' });

    const bad = prepareRow(m, 7, [null, '', '12', '高', '传真', '投诉', '坏了', null, '2024/5/1', '2024/4/30', '已结案']);
    const at = Object.fromEntries(bad.issues.map((i) => [i.field, i.column]));
    expect(at).toMatchObject({ '/customerName': '客户', '/phone': '电话', '/channel': '渠道', '/description': '描述', '/safetyRisk': null, '/orderNo': '订单号', 'case:closedAt': '结案时间' });
    expect(bad.issues.every((i) => i.rowNo === 7 && i.severity === 'error')).toBe(true);
    // Without a number the row is recognised by the hash of its normalised content.
    expect(bad.key).toMatch(/^row:[0-9a-f]{64}$/);
  });

  it('R37: legacy numbers are recognised by the process format and give the counter key', () => {
    const p = numberPattern('FB{yyyyMM}{seq:3}');
    expect(p.parse('FB202405007')).toEqual({ key: 'FB202405{seq}', seq: 7 });
    expect(p.parse('FB2024051234')).toEqual({ key: 'FB202405{seq}', seq: 1234 });
    expect(p.parse('LEGACY-0042')).toBeUndefined();
    expect(p.parse('FB20240501')).toBeUndefined();
  });
});
