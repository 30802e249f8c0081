/**
 * A legacy case spreadsheet as an after-sales team's old system exports it: mixed Chinese and
 * English headers, dates in every format people type (2024-05-01 09:15, 2024/5/3, 2024年5月6日,
 * Excel serial numbers, real date cells), list values in words (紧急, 中, 电话), closed and open
 * cases, one legacy number that is not in Loopdesk's format, one row without a number, and a few
 * broken rows. Built by the tests so every expected outcome is known.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';

export const HEADERS = [
  '工单号',
  'Customer Name',
  '联系电话',
  '紧急程度(高/中/低)',
  'Channel',
  '问题类型',
  '问题描述',
  'Order No.',
  '购买日期',
  '是否涉及安全隐患',
  '受理时间',
  '结案时间',
  '状态',
  '区域',
];

export type LegacyCell = string | number | Date | null;

export interface LegacyRow {
  cells: LegacyCell[];
  /** What the importer must make of it. */
  expect:
    | { kind: 'closed'; number: string; openedAt: string; closedAt: string }
    | { kind: 'open'; number: string | null; node: string; openedAt: string }
    | { kind: 'broken'; field: string };
}

/** A real date cell as Excel stores it: wall-clock time, no zone (exceljs: in the UTC fields). */
const cellDate = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(Date.UTC(y, mo - 1, d, h, mi));
/** Excel serial number of a wall-clock time. */
const serial = (y: number, mo: number, d: number, h = 0, mi = 0) => (Date.UTC(y, mo - 1, d, h, mi) - Date.UTC(1899, 11, 30)) / 86_400_000;

const NAMES = ['陈小明', '李华', '王芳', '张伟', '刘洋', '赵敏', 'John Smith', '周杰', '吴磊', '郑爽'];
const DESCRIPTIONS = ['空调制冷效果差，要求上门检修', '洗衣机无法排水，显示E21', '冰箱冷藏室不制冷', '想了解延保服务的价格', '电视开机无图像有声音', '热水器不出热水'];

/** The sheet's rows: 30 closed cases, 8 open ones at several steps, 7 broken rows. */
export function legacyRows(): LegacyRow[] {
  const rows: LegacyRow[] = [];
  const urgencies = ['中', '低', '一般', 'normal', '低'];
  const channels = ['电话', '在线客服', '邮件', 'App', '第三方平台'];
  const types = ['投诉', '咨询', '故障', '售后', '建议'];
  const regions = ['华东', '华南', '华北', '西南', '未登记'];
  for (let i = 1; i <= 30; i++) {
    const day = ((i - 1) % 28) + 1;
    const number = `FB202405${String(i).padStart(3, '0')}`;
    // Every date format a legacy export holds, in turn.
    const formats: [LegacyCell, LegacyCell][] = [
      [`2024-05-${String(day).padStart(2, '0')} 09:15`, `2024-05-${String(day).padStart(2, '0')} 17:45`],
      [`2024/5/${day} 10:00`, `2024/5/${day} 16:30`],
      [`2024年5月${day}日 8时30分`, `2024年5月${day}日 18时00分`],
      [serial(2024, 5, day, 11, 0), serial(2024, 5, day, 15, 0)],
      [cellDate(2024, 5, day, 13, 20), cellDate(2024, 5, day, 19, 5)],
    ];
    const [opened, closed] = formats[i % formats.length]!;
    const times = [
      [`09:15`, `17:45`],
      [`10:00`, `16:30`],
      [`08:30`, `18:00`],
      [`11:00`, `15:00`],
      [`13:20`, `19:05`],
    ][i % 5]!;
    const date = `2024-05-${String(day).padStart(2, '0')}`;
    rows.push({
      cells: [
        number,
        NAMES[i % NAMES.length]!,
        `138${String(10000000 + i * 7919).slice(0, 8)}`,
        urgencies[i % urgencies.length]!,
        channels[i % channels.length]!,
        types[i % types.length]!,
        DESCRIPTIONS[i % DESCRIPTIONS.length]!,
        `SO2024${String(1000 + i)}`,
        i % 3 === 0 ? serial(2024, 1, 10) : i % 3 === 1 ? '2023/12/1' : '2024年2月1日',
        null,
        opened,
        closed,
        i % 2 ? '已结案' : 'closed',
        regions[i % regions.length]!,
      ],
      expect: { kind: 'closed', number, openedAt: `${date}T${times[0]}:00+08:00`, closedAt: `${date}T${times[1]}:00+08:00` },
    });
  }
  const open = (number: string | null, status: string, node: string, opened: LegacyCell, openedAt: string, extra: Partial<Record<number, LegacyCell>> = {}): LegacyRow => {
    const cells: LegacyCell[] = [number, '孙丽', 13912345678, '中', '电话', '故障', '空调外机噪音很大，晚上无法入睡', 'SO20240601', '2024-03-01', null, opened, null, status, '华东'];
    for (const [k, v] of Object.entries(extra)) cells[Number(k)] = v ?? null;
    return { cells, expect: { kind: 'open', number, node, openedAt } };
  };
  rows.push(
    open('FB202406001', '待核实', 'verify', '2024-06-01 09:00', '2024-06-01T09:00:00+08:00'),
    open('FB202406002', '处理中', 'handle', '2024/6/2 10:30', '2024-06-02T10:30:00+08:00', { 5: '投诉' }),
    open('FB202406003', '处理中', 'handle', cellDate(2024, 6, 3, 14, 0), '2024-06-03T14:00:00+08:00', { 5: '建议' }),
    open('FB202406004', '待回访', 'callback', '2024年6月4日 11时00分', '2024-06-04T11:00:00+08:00'),
    open('FB202406005', '进行中', 'verify', serial(2024, 6, 5, 9, 30), '2024-06-05T09:30:00+08:00'),
    open('FB202406006', '待分类', 'classify', '2024-06-06 16:00', '2024-06-06T16:00:00+08:00', { 1: 'Mary Chen', 3: '紧急', 9: '涉及' }),
    // A legacy number outside Loopdesk's format: a new number, the old one kept as externalNumber.
    open('LEGACY-0042', '处理中', 'handle', '2024-06-07 08:45', '2024-06-07T08:45:00+08:00'),
    // No number at all: recognised on a re-run by the hash of its content.
    open(null, '', 'verify', '2024-06-08 12:00', '2024-06-08T12:00:00+08:00', { 1: '钱多多' }),
  );
  const broken = (field: string, extra: Partial<Record<number, LegacyCell>>, number: string): LegacyRow => {
    const cells: LegacyCell[] = [number, '周八', '13700001111', '低', '邮件', '咨询', '咨询安装收费标准', 'SO20240777', null, null, '2024-05-20 10:00', '2024-05-20 12:00', '已结案', '华北'];
    for (const [k, v] of Object.entries(extra)) cells[Number(k)] = v ?? null;
    return { cells, expect: { kind: 'broken', field } };
  };
  rows.push(
    broken('/customerName', { 1: null }, 'FB202405101'),
    broken('/phone', { 2: '12345' }, 'FB202405102'),
    broken('case:openedAt', { 10: '上周三上午' }, 'FB202405103'),
    broken('case:closedAt', { 11: null }, 'FB202405104'),
    broken('/urgency', { 3: '十万火急' }, 'FB202405105'),
    broken('/safetyRisk', { 3: '高' }, 'FB202405106'),
    broken('/orderNo', { 7: null }, 'FB202405107'),
  );
  return rows;
}

export async function legacyXlsx(rows = legacyRows()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单导出');
  ws.addRow(HEADERS);
  for (const r of rows) {
    const row = ws.addRow(r.cells);
    r.cells.forEach((c, i) => {
      if (c instanceof Date) row.getCell(i + 1).numFmt = 'yyyy-mm-dd hh:mm';
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The rows as a CSV saved by Chinese Excel: GBK-encoded, dates as text. */
export function legacyGbkCsv(rows: LegacyRow[]): Buffer {
  const text = Papa.unparse([HEADERS, ...rows.map((r) => r.cells.map((c) => (c instanceof Date ? c.toISOString().slice(0, 16).replace('T', ' ') : (c ?? ''))))], { newline: '\r\n' });
  return iconv.encode(text, 'gbk');
}
