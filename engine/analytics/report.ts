/**
 * The weekly / monthly report (R24) as JSON, CSV (the case list, streamed) or XLSX (summary, node
 * durations, SLA and case list sheets): every catalogue metric with its target, time per node, SLA
 * attainment, and one row per case. Personal data (customer name, phone) is masked unless the
 * caller holds pii:read (R39); headers are Chinese for zh-CN callers.
 */
import ExcelJS from 'exceljs';
import type { MetricKey } from '../../schemas/analytics.ts';
import { maskName, maskPhone } from '../forms/mask.ts';
import type { Db, Tx } from '../store/db.ts';
import { type AnalyticsFilter, type CaseRow, CASE_COLUMNS, METRIC_COLUMNS, normalise, whereOf } from './filters.ts';
import { METRICS } from './metrics.ts';
import { nodeDurations } from './nodes.ts';
import { localDate, reportPeriod } from './periods.ts';
import type { AnalyticsSettings } from './settings.ts';
import { slaReport } from './sla.ts';
import { type AnalyticsDefinitionWithSettings, meets } from './targets.ts';
import { targetOf } from './settings.ts';
import { zoneOffset } from './facts.ts';

type Lang = 'zh-CN' | 'en';

const METRIC_LABELS: Record<MetricKey, [string, string]> = {
  cases: ['案例数', 'Cases'],
  'responseMs.mean': ['平均首次响应时长', 'Mean first response'],
  'responseMs.median': ['首次响应时长中位数', 'Median first response'],
  'responseMs.p90': ['首次响应时长P90', 'First response p90'],
  'resolutionMs.mean': ['平均解决时长', 'Mean resolution time'],
  'resolutionMs.median': ['解决时长中位数', 'Median resolution time'],
  'resolutionMs.p90': ['解决时长P90', 'Resolution time p90'],
  'cycleMs.mean': ['平均结案周期', 'Mean cycle time'],
  'cycleMs.median': ['结案周期中位数', 'Median cycle time'],
  'slaAttainment.response': ['响应时效达成率', 'Response SLA attainment'],
  'slaAttainment.resolution': ['解决时效达成率', 'Resolution SLA attainment'],
  fcrRate: ['首次解决率', 'First-contact resolution rate'],
  finalResolutionRate: ['最终解决率', 'Final resolution rate'],
  reopenRate: ['重开率', 'Reopen rate'],
  'satisfaction.mean': ['平均满意度', 'Mean satisfaction'],
  nps: ['净推荐值NPS', 'NPS'],
  lowScoreRate: ['差评率（低于3分）', 'Low-score rate'],
  complaintRate: ['投诉占比', 'Complaint share'],
};

const CASE_HEADERS: [string, string, string][] = [
  ['caseNumber', '案例编号', 'Case number'],
  ['startedAt', '受理时间', 'Received'],
  ['state', '状态', 'State'],
  ['type', '反馈类型', 'Type'],
  ['channel', '反馈渠道', 'Channel'],
  ['urgency', '紧急程度', 'Urgency'],
  ['department', '处理部门', 'Department'],
  ['owner', '负责人', 'Owner'],
  ['customerName', '客户姓名', 'Customer'],
  ['phone', '联系电话', 'Phone'],
  ['responseHours', '首次响应（小时）', 'First response (h)'],
  ['resolutionHours', '解决时长（小时）', 'Resolution (h)'],
  ['responseSla', '响应时效', 'Response SLA'],
  ['resolutionSla', '解决时效', 'Resolution SLA'],
  ['resolved', '是否解决', 'Resolved'],
  ['fcr', '首次解决', 'First-contact resolution'],
  ['satisfaction', '满意度', 'Satisfaction'],
  ['nps', 'NPS', 'NPS'],
];

export interface ReportOptions {
  period: 'week' | 'month';
  at?: string;
  lang: Lang;
  /** Whether the caller may see personal data unmasked (pii:read). */
  pii: boolean;
}

const HOUR = 3_600_000;
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / HOUR) * 100) / 100);
const yesNo = (v: number | null, lang: Lang) => (v === null ? null : lang === 'zh-CN' ? (v === 1 ? '是' : '否') : v === 1 ? 'yes' : 'no');

/** Local date-time text in the analytics time zone (2024-05-06 10:00). */
function localDateTime(ms: number): string {
  return new Date(ms + zoneOffset(ms)).toISOString().slice(0, 16).replace('T', ' ');
}

/** Spreadsheet formula injection guard: text starting with = + - @ is kept as text. */
const safe = (v: string | null) => (v !== null && /^[=+\-@]/.test(v) ? `'${v}` : v);

export type CaseLine = Record<string, string | number | null>;

/** The period's cases page by page (keyset on start time and id), with masked contact data. */
export async function* caseLines(db: Db, f: AnalyticsFilter, opts: ReportOptions): AsyncGenerator<CaseLine> {
  let after: [number, string] = [Number.MIN_SAFE_INTEGER, ''];
  for (;;) {
    const w = await whereOf(db, f, ['(c.started_at > ? OR (c.started_at = ? AND c.instance_id > ?))'], [after[0], after[0], after[1]]);
    const rows = (await db.all<CaseRow>(`SELECT ${CASE_COLUMNS} FROM case_facts c WHERE ${w.sql} ORDER BY c.started_at, c.instance_id LIMIT 1000`, w.params)).map((r) =>
      normalise(r),
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.instance_id);
    const vars = new Map(
      (await db.all<{ id: string; variables: string }>(`SELECT id, variables FROM instances WHERE id IN (${ids.map(() => '?').join(', ')})`, ids)).map((r) => [r.id, r.variables]),
    );
    for (const r of rows) {
      const intake = ((JSON.parse(vars.get(r.instance_id) ?? '{}') as Record<string, unknown>).feedbackIntake ?? {}) as Record<string, unknown>;
      const name = typeof intake.customerName === 'string' ? intake.customerName : null;
      const phone = typeof intake.phone === 'string' ? intake.phone : null;
      yield {
        caseNumber: r.case_number ?? r.instance_id,
        startedAt: localDateTime(r.started_at),
        state: r.state,
        type: r.type,
        channel: r.channel,
        urgency: r.urgency,
        department: r.department,
        owner: r.owner,
        customerName: safe(name === null ? null : opts.pii ? name : maskName(name)),
        phone: safe(phone === null ? null : opts.pii ? phone : maskPhone(phone)),
        responseHours: hours(r.response_ms),
        resolutionHours: hours(r.resolution_ms),
        responseSla: r.response_state,
        resolutionSla: r.resolution_state,
        resolved: yesNo(r.resolved, opts.lang),
        fcr: yesNo(r.fcr, opts.lang),
        satisfaction: r.satisfaction,
        nps: r.nps,
      };
    }
    const last = rows.at(-1)!;
    after = [last.started_at, last.instance_id];
  }
}

export function caseHeaders(lang: Lang): { key: string; header: string }[] {
  return CASE_HEADERS.map(([key, zh, en]) => ({ key, header: lang === 'zh-CN' ? zh : en }));
}

const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The case list as CSV text chunks (UTF-8 with BOM so spreadsheet programs read Chinese). */
export async function* csvChunks(db: Db, f: AnalyticsFilter, opts: ReportOptions): AsyncGenerator<string> {
  const headers = caseHeaders(opts.lang);
  yield `\uFEFF${headers.map((h) => csvCell(h.header)).join(',')}\r\n`;
  let chunk = '';
  for await (const line of caseLines(db, f, opts)) {
    chunk += `${headers.map((h) => csvCell(line[h.key] ?? null)).join(',')}\r\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Summary, node and SLA figures of the period (the JSON report and the XLSX's first sheets). */
export async function reportSummary(tx: Tx, f: AnalyticsFilter, def: AnalyticsDefinitionWithSettings, opts: ReportOptions, now: number) {
  const period = reportPeriod(opts.period, now, opts.at);
  const filter = { ...f, from: period.from, to: period.to };
  const w = await whereOf(tx, filter);
  const rows = (await tx.all<CaseRow>(`SELECT ${METRIC_COLUMNS} FROM case_facts c WHERE ${w.sql}`, w.params)).map((r) => normalise(r));
  const settings: AnalyticsSettings = def.settings;
  const kpis = (Object.keys(METRICS) as MetricKey[]).map((metric) => {
    const m = METRICS[metric];
    const { value, n } = m.compute(rows, { lowScoreBelow: settings.lowScoreBelow });
    const t = def.targets.find((x) => x.metric === metric && (!x.filters || Object.keys(x.filters).length === 0));
    const target = t ? targetOf(t) : null;
    return { metric, label: METRIC_LABELS[metric][opts.lang === 'zh-CN' ? 0 : 1], unit: m.unit, value, n, target, achieved: meets(value, target, m.better) };
  });
  return {
    period: { kind: opts.period, label: period.label, from: period.from, to: period.to, fromDate: localDate(period.from), toDate: localDate(period.to - 1) },
    filter,
    kpis,
    nodes: await nodeDurations(tx, filter, settings),
    sla: await slaReport(tx, filter, settings),
  };
}

export type ReportSummary = Awaited<ReturnType<typeof reportSummary>>;

/** A metric's name in a language (stored report snapshots are shown in the reader's). */
export const metricLabel = (metric: MetricKey, lang: Lang) => METRIC_LABELS[metric][lang === 'zh-CN' ? 0 : 1];

/** The whole report as an XLSX workbook. */
export async function reportXlsx(db: Db, f: AnalyticsFilter, def: AnalyticsDefinitionWithSettings, opts: ReportOptions, now: number): Promise<Buffer> {
  const zh = opts.lang === 'zh-CN';
  const summary = await reportSummary(db, f, def, opts, now);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Loopdesk';
  wb.created = new Date(now);
  const fmt = (unit: string, v: number | null) => (v === null ? null : unit === 'ms' ? hours(v) : unit === 'rate' ? Math.round(v * 10_000) / 100 : Math.round(v * 100) / 100);
  const unitLabel = (unit: string) => (unit === 'ms' ? (zh ? '小时' : 'hours') : unit === 'rate' ? '%' : unit === 'points' ? (zh ? '分' : 'points') : unit === 'score' ? (zh ? '分' : 'score') : '');

  const s = wb.addWorksheet(zh ? '汇总' : 'Summary');
  s.addRow([zh ? '报告期间' : 'Period', `${summary.period.fromDate} – ${summary.period.toDate}`]);
  s.addRow([]);
  s.addRow(zh ? ['指标', '数值', '单位', '目标', '是否达成', '样本数'] : ['Metric', 'Value', 'Unit', 'Target', 'Achieved', 'N']).font = { bold: true };
  for (const k of summary.kpis) {
    s.addRow([k.label, fmt(k.unit, k.value), unitLabel(k.unit), fmt(k.unit, k.target), k.achieved === null ? null : zh ? (k.achieved ? '是' : '否') : k.achieved ? 'yes' : 'no', k.n]);
  }
  s.columns.forEach((c) => {
    c.width = 22;
  });

  const n = wb.addWorksheet(zh ? '节点耗时' : 'Nodes');
  n.addRow(
    zh
      ? ['流程', '节点', '名称', '次数', '平均（小时）', '中位数（小时）', 'P90（小时）', '最长（小时）', '工作时间平均（小时）', '工作时间中位数（小时）']
      : ['Process', 'Node', 'Name', 'Count', 'Mean (h)', 'Median (h)', 'p90 (h)', 'Max (h)', 'Working mean (h)', 'Working median (h)'],
  ).font = { bold: true };
  for (const x of summary.nodes.nodes) {
    n.addRow([x.processKey, x.nodeId, x.name, x.wall.count, hours(x.wall.mean), hours(x.wall.median), hours(x.wall.p90), hours(x.wall.max), hours(x.working.mean), hours(x.working.median)]);
  }

  const t = wb.addWorksheet(zh ? '时效' : 'SLA');
  t.addRow(zh ? ['时钟', '达成', '超时', '达成率（%）', '平均（小时）', '中位数（小时）', 'P90（小时）'] : ['Clock', 'Met', 'Breached', 'Attainment (%)', 'Mean (h)', 'Median (h)', 'p90 (h)']).font = {
    bold: true,
  };
  for (const c of summary.sla.clocks) {
    t.addRow([c.key, c.met, c.breached, fmt('rate', c.attainment), hours(c.elapsed.mean), hours(c.elapsed.median), hours(c.elapsed.p90)]);
  }

  const headers = caseHeaders(opts.lang);
  const cs = wb.addWorksheet(zh ? '案例明细' : 'Cases');
  cs.columns = headers.map((h) => ({ header: h.header, key: h.key, width: 16 }));
  cs.getRow(1).font = { bold: true };
  for await (const line of caseLines(db, summary.filter, opts)) cs.addRow(line);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
