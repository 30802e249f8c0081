/**
 * The weekly / monthly report (R24) as one printable HTML page: the KPIs with their targets, time
 * per node, SLA attainment and the case list. Every value is escaped; contact data in the case
 * list is masked unless the caller holds pii:read (the case lines come masked from report.ts).
 */
import type { Db } from '../store/db.ts';
import type { AnalyticsFilter } from './filters.ts';
import type { MetricKey } from '../../schemas/analytics.ts';
import { type CaseLine, caseHeaders, caseLines, metricLabel, type ReportOptions, type ReportSummary } from './report.ts';

const HOUR = 3_600_000;

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function value(unit: string, v: number | null, zh: boolean): string {
  if (v === null) return '–';
  if (unit === 'ms') return `${(v / HOUR).toFixed(1)} ${zh ? '小时' : 'h'}`;
  if (unit === 'rate') return `${(v * 100).toFixed(1)}%`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

const hours = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : (ms / HOUR).toFixed(1));

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The page; `cases` is omitted for a stored run, whose snapshot keeps only the figures. */
export function renderReportHtml(summary: ReportSummary, lang: ReportOptions['lang'], cases?: { headers: { key: string; header: string }[]; lines: CaseLine[] }): string {
  const zh = lang === 'zh-CN';
  const title = zh
    ? `${summary.period.kind === 'week' ? '服务周报' : '服务月报'} ${summary.period.label}`
    : `${summary.period.kind === 'week' ? 'Weekly' : 'Monthly'} service report ${summary.period.label}`;
  const kpis = table(
    zh ? ['指标', '数值', '目标', '是否达成', '样本数'] : ['Metric', 'Value', 'Target', 'Achieved', 'N'],
    summary.kpis.map((k) => [
      metricLabel(k.metric as MetricKey, lang),
      value(k.unit, k.value, zh),
      value(k.unit, k.target, zh),
      k.achieved === null ? '–' : k.achieved ? (zh ? '是' : 'yes') : zh ? '否' : 'no',
      String(k.n),
    ]),
  );
  const nodes = table(
    zh ? ['节点', '次数', '平均（小时）', '中位数（小时）', 'P90（小时）', '最长（小时）', '工作时间中位数（小时）'] : ['Node', 'Count', 'Mean (h)', 'Median (h)', 'p90 (h)', 'Max (h)', 'Working median (h)'],
    summary.nodes.nodes.map((n) => [n.name ?? n.nodeId, String(n.wall.count), hours(n.wall.mean), hours(n.wall.median), hours(n.wall.p90), hours(n.wall.max), hours(n.working.median)]),
  );
  const sla = table(
    zh ? ['时效', '达成', '超时', '达成率'] : ['Clock', 'Met', 'Breached', 'Attainment'],
    summary.sla.clocks.map((c) => [c.key, String(c.met), String(c.breached), value('rate', c.attainment, zh)]),
  );
  const caseSection = cases
    ? `<h2>${zh ? '案例明细' : 'Cases'}</h2>\n${table(
        cases.headers.map((h) => h.header),
        cases.lines.map((line) => cases.headers.map((h) => (line[h.key] === null || line[h.key] === undefined ? '' : String(line[h.key])))),
      )}`
    : '';
  return `<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem; color: #1d2b45; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7e2; padding: .3rem .5rem; text-align: left; }
th { background: #eef3fb; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(zh ? `报告期间：${summary.period.fromDate} 至 ${summary.period.toDate}` : `Period: ${summary.period.fromDate} – ${summary.period.toDate}`)}</p>
<h2>${zh ? '指标与目标' : 'Metrics and targets'}</h2>
${kpis}
<h2>${zh ? '各节点耗时' : 'Time per node'}</h2>
${nodes}
<h2>${zh ? '时效达成' : 'SLA attainment'}</h2>
${sla}
${caseSection}
</body>
</html>
`;
}

/** The live report of a period with its case list. */
export async function reportHtml(db: Db, summary: ReportSummary, f: AnalyticsFilter, opts: ReportOptions): Promise<string> {
  const lines: CaseLine[] = [];
  for await (const line of caseLines(db, { ...f, from: summary.period.from, to: summary.period.to }, opts)) lines.push(line);
  return renderReportHtml(summary, opts.lang, { headers: caseHeaders(opts.lang), lines });
}
