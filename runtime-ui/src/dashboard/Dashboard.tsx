/**
 * The supervisors' dashboard (R9, R22, R24–R29, R41): every analytics report of the filtered
 * period on one page — targets with achieved/missed, time per node with the BPMN heatmap, SLA
 * attainment, backlog, resolution quality, satisfaction, the Pareto of causes, people and the
 * incomplete records — with the weekly/monthly report to download. Filters live in the URL, so a
 * view can be bookmarked and shared.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import { ApiError, api, fetchBlob, query } from '../api.ts';
import { Loading } from '../components/Status.tsx';
import { useI18n } from '../i18n.tsx';
import { navigate, useLocation } from '../router.tsx';
import { isSupervisor, useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { Chart, type ChartOption } from './Chart.tsx';
import { formatDuration } from './heat.ts';
import { ActionsPanel, PilotPanel, ReviewPanel } from './Improvement.tsx';
import { formatMetric, Panel, pct } from './parts.tsx';
import { type DashboardText, dashboardText } from './messages.ts';
import type {
  BacklogReport,
  IncompleteReport,
  MixReport,
  NodesReport,
  PeopleReport,
  QualityReport,
  SatisfactionReport,
  SlaReport,
  TargetsReport,
} from './types.ts';
import type { Definition } from './types.ts';

const Heatmap = lazy(() => import('./Heatmap.tsx'));

const FILTER_KEYS = ['from', 'to', 'processKey', 'version', 'department', 'channel', 'type', 'urgency'] as const;
export type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

interface Reports {
  targets: TargetsReport;
  nodes: NodesReport;
  sla: SlaReport;
  backlog: BacklogReport;
  quality: QualityReport;
  satisfaction: SatisfactionReport;
  mix: MixReport;
  people: PeopleReport;
  incomplete: IncompleteReport;
}

async function loadReports(filters: Filters, signal: AbortSignal): Promise<Reports> {
  const q = query(filters);
  const get = <T,>(path: string, extra = '') => api.get<T>(`/api/analytics/${path}${q}${extra ? (q ? '&' : '?') + extra : ''}`, signal);
  const [targets, nodes, sla, backlog, quality, satisfaction, mix, people, incomplete] = await Promise.all([
    get<TargetsReport>('targets'),
    get<NodesReport>('nodes'),
    get<SlaReport>('sla'),
    get<BacklogReport>('backlog'),
    get<QualityReport>('quality'),
    get<SatisfactionReport>('satisfaction'),
    get<MixReport>('mix'),
    get<PeopleReport>('people'),
    get<IncompleteReport>('incomplete'),
  ]);
  return { targets, nodes, sla, backlog, quality, satisfaction, mix, people, incomplete };
}

export default function Dashboard() {
  const { lang } = useI18n();
  const text = dashboardText(lang);
  const { user } = useSession();
  const { params } = useLocation();
  const filters: Filters = useMemo(() => {
    const f: Filters = {};
    for (const k of FILTER_KEYS) {
      const v = params.get(k);
      if (v) f[k] = v;
    }
    return f;
  }, [params]);
  const filterKey = JSON.stringify(filters);
  const reports = useLoad((signal) => loadReports(filters, signal), [filterKey]);
  const processes = useLoad((signal) => api.get<Definition[]>('/api/processes', signal), []);

  if (!isSupervisor(user)) return <p className="note" data-testid="dashboard-forbidden">{text('forbidden')}</p>;
  if (reports.error instanceof ApiError && reports.error.status === 403)
    return <p className="note" data-testid="dashboard-forbidden">{text('forbidden')}</p>;

  const r = reports.data;
  return (
    <section className="dashboard" data-testid="dashboard">
      <h1>{text('title')}</h1>
      <FilterBar filters={filters} processes={processes.data ?? []} text={text} />
      {reports.error && !r ? <p className="error">{String((reports.error as Error).message)}</p> : null}
      {!r ? (
        <Loading />
      ) : (
        <>
          <p className="muted" data-testid="dashboard-cases">
            {text('cases')}: {r.sla.cases}
          </p>
          <Targets report={r.targets} text={text} lang={lang} />
          <Nodes report={r.nodes} filters={filters} processes={processes.data ?? []} text={text} lang={lang} />
          <Sla sla={r.sla} backlog={r.backlog} targets={r.targets} text={text} lang={lang} />
          <Quality report={r.quality} text={text} />
          <Satisfaction report={r.satisfaction} text={text} />
          <Mix report={r.mix} text={text} />
          <People report={r.people} text={text} lang={lang} />
          <Incomplete report={r.incomplete} text={text} />
          <PilotPanel filters={filters} processes={processes.data ?? []} text={text} lang={lang} />
          <ActionsPanel filters={filters} processes={processes.data ?? []} text={text} lang={lang} />
          <ReviewPanel filters={filters} text={text} />
          <Downloads filters={filters} text={text} />
        </>
      )}
    </section>
  );
}

function FilterBar({ filters, processes, text }: { filters: Filters; processes: Definition[]; text: DashboardText }) {
  const [draft, setDraft] = useState<Filters>(filters);
  const keys = [...new Set(processes.map((p) => p.key))];
  const versions = processes.filter((p) => p.key === draft.processKey).map((p) => p.version);
  const field = (key: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={draft[key] ?? ''} onChange={(e) => setDraft({ ...draft, [key]: e.target.value || undefined })} data-testid={`filter-${key}`} />
    </label>
  );
  return (
    <form
      className="filter-bar"
      aria-label={text('filters')}
      onSubmit={(e) => {
        e.preventDefault();
        navigate(`/dashboard${query(draft)}`);
      }}
    >
      {field('from', text('from'), 'date')}
      {field('to', text('to'), 'date')}
      <label>
        {text('process')}
        <select value={draft.processKey ?? ''} onChange={(e) => setDraft({ ...draft, processKey: e.target.value || undefined, version: undefined })} data-testid="filter-processKey">
          <option value="">–</option>
          {keys.map((k) => (
            <option key={k} value={k}>
              {processes.find((p) => p.key === k)?.name ?? k}
            </option>
          ))}
        </select>
      </label>
      <label>
        {text('version')}
        <select value={draft.version ?? ''} onChange={(e) => setDraft({ ...draft, version: e.target.value || undefined })} data-testid="filter-version">
          <option value="">{text('allVersions')}</option>
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>
      </label>
      {field('department', text('department'))}
      {field('channel', text('channel'))}
      {field('type', text('type'))}
      {field('urgency', text('urgency'))}
      <button type="submit" data-testid="filter-apply">
        {text('apply')}
      </button>
      <button
        type="button"
        className="btn-secondary"
        onClick={() => {
          setDraft({});
          navigate('/dashboard');
        }}
      >
        {text('reset')}
      </button>
    </form>
  );
}

function Targets({ report, text, lang }: { report: TargetsReport; text: DashboardText; lang: 'zh-CN' | 'en' }) {
  return (
    <Panel title={text('targets')} testId="panel-targets">
      <table className="data">
        <thead>
          <tr>
            <th>{text('metric')}</th>
            <th>{text('actual')}</th>
            <th>{text('target')}</th>
            <th>{text('benchmark')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {report.items.map((t) => (
            <tr key={t.key} data-testid={`target-${t.key}`} data-achieved={String(t.achieved)}>
              <td>{t.label?.[lang] ?? t.metric}</td>
              <td>{formatMetric(t.metric, t.actual, lang)}</td>
              <td>{formatMetric(t.metric, t.target, lang)}</td>
              <td>{t.benchmark ? formatMetric(t.metric, t.benchmark.value ?? null, lang) : '–'}</td>
              <td className={t.achieved === true ? 'ok' : t.achieved === false ? 'bad' : 'muted'}>
                {t.achieved === true ? text('achieved') : t.achieved === false ? text('missed') : text('noData')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function Nodes({
  report,
  filters,
  processes,
  text,
  lang,
}: {
  report: NodesReport;
  filters: Filters;
  processes: Definition[];
  text: DashboardText;
  lang: 'zh-CN' | 'en';
}) {
  const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3_600_000) * 100) / 100);
  const nodes = report.nodes;
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { data: [text('wall'), text('working')] },
    grid: { left: 60, right: 20, bottom: 60 },
    xAxis: { type: 'category', data: nodes.map((n) => n.name ?? n.nodeId), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: 'h' },
    series: [
      { name: text('wall'), type: 'bar', data: nodes.map((n) => hours(n.wall.median)) },
      { name: text('working'), type: 'bar', data: nodes.map((n) => hours(n.working.median)) },
    ],
  };
  // The heatmap needs one diagram: the filtered version, else the newest published one of the process.
  const processKey = filters.processKey ?? nodes[0]?.processKey;
  const candidates = processes.filter((p) => p.key === processKey);
  const version = filters.version
    ? Number(filters.version)
    : (candidates.filter((p) => p.status === 'published').sort((a, b) => b.version - a.version)[0]?.version ?? candidates[0]?.version);
  // Kept stable across renders: a new array would rebuild the diagram viewer.
  const heatNodes = useMemo(() => nodes.filter((n) => n.processKey === processKey), [nodes, processKey]);
  return (
    <Panel title={text('nodes')} testId="panel-nodes">
      <Chart option={option} label={text('nodes')} testId="chart-nodes" />
      <table className="data" data-testid="nodes-table">
        <thead>
          <tr>
            <th>{text('node')}</th>
            <th>{text('count')}</th>
            <th>{text('mean')}</th>
            <th>{text('median')}</th>
            <th>{text('p90')}</th>
            <th>{text('max')}</th>
            <th>
              {text('working')} · {text('median')}
            </th>
            <th>{text('slowest')}</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={`${n.processKey}/${n.nodeId}`} data-node={n.nodeId}>
              <td>{n.name ?? n.nodeId}</td>
              <td>{n.wall.count}</td>
              <td>{formatDuration(n.wall.mean, lang)}</td>
              <td>{formatDuration(n.wall.median, lang)}</td>
              <td>{formatDuration(n.wall.p90, lang)}</td>
              <td>{formatDuration(n.wall.max, lang)}</td>
              <td>{formatDuration(n.working.median, lang)}</td>
              <td>{n.slowest[0] ? `${n.slowest[0].caseNumber ?? ''} ${n.slowest[0].owner ?? ''}` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {processKey && version ? (
        <>
          <h3>{text('heatmap')}</h3>
          <Suspense fallback={<Loading />}>
            <Heatmap processKey={processKey} version={version} nodes={heatNodes} />
          </Suspense>
        </>
      ) : null}
    </Panel>
  );
}

function Sla({ sla, backlog, targets, text, lang }: { sla: SlaReport; backlog: BacklogReport; targets: TargetsReport; text: DashboardText; lang: 'zh-CN' | 'en' }) {
  const attainmentTarget = targets.items.find((t) => t.metric.startsWith('slaAttainment'))?.target ?? null;
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 50, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: sla.clocks.map((c) => c.key) },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [
      {
        name: text('attainment'),
        type: 'bar',
        data: sla.clocks.map((c) => (c.attainment === null ? null : Math.round(c.attainment * 1000) / 10)),
        // The target drawn on the chart (R25): attainment below the line misses it.
        markLine: attainmentTarget === null ? undefined : { symbol: 'none', data: [{ yAxis: attainmentTarget * 100, name: text('target') }], label: { formatter: text('target') } },
      },
    ],
  };
  const row = (label: string, s: SlaReport['response']) => (
    <tr>
      <th>{label}</th>
      <td>{s.count}</td>
      <td>{formatDuration(s.mean, lang)}</td>
      <td>{formatDuration(s.min, lang)}</td>
      <td>{formatDuration(s.median, lang)}</td>
      <td>{formatDuration(s.p90, lang)}</td>
      <td>{formatDuration(s.max, lang)}</td>
    </tr>
  );
  return (
    <Panel title={text('sla')} testId="panel-sla">
      <table className="data">
        <thead>
          <tr>
            <th />
            <th>{text('count')}</th>
            <th>{text('mean')}</th>
            <th>min</th>
            <th>{text('median')}</th>
            <th>{text('p90')}</th>
            <th>{text('max')}</th>
          </tr>
        </thead>
        <tbody>
          {row(text('response'), sla.response)}
          {row(text('resolution'), sla.resolution)}
        </tbody>
      </table>
      <Chart option={option} label={text('attainment')} testId="chart-sla" height={220} />
      <table className="data">
        <thead>
          <tr>
            <th>{text('clock')}</th>
            <th>{text('attainment')}</th>
            <th>{text('breachRate')}</th>
          </tr>
        </thead>
        <tbody>
          {sla.clocks.map((c) => (
            <tr key={c.key}>
              <td>{c.key}</td>
              <td>{pct(c.attainment)}</td>
              <td>{pct(c.breachRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{text('backlog')}</h3>
      <p>
        {text('open')}: <strong data-testid="backlog-open">{backlog.open}</strong> · {text('overdue')}: {backlog.overdue.length}
      </p>
      <ul className="inline-list">
        {backlog.ageing.map((a) => (
          <li key={a.label}>
            {a.label}: {a.count}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function Quality({ report, text }: { report: QualityReport; text: DashboardText }) {
  const rate = (label: string, r: QualityReport['reopen'], testId: string) => (
    <div className="kpi" data-testid={testId}>
      <span className="kpi-label">{label}</span>
      <strong>{pct(r.rate)}</strong>
      <span className="muted">
        {r.count}/{r.of}
        {r.target !== null && r.target !== undefined ? ` · ${text('target')} ${pct(r.target)}` : ''}
      </span>
    </div>
  );
  return (
    <Panel title={text('quality')} testId="panel-quality">
      <div className="kpis">
        {rate(text('fcr'), report.firstContactResolution, 'kpi-fcr')}
        {rate(text('finalResolution'), report.finalResolution, 'kpi-final')}
        {rate(text('reopen'), report.reopen, 'kpi-reopen')}
      </div>
      {report.unresolvedReasons.length > 0 ? (
        <>
          <h3>{text('unresolvedReasons')}</h3>
          <ul>
            {report.unresolvedReasons.map((u) => (
              <li key={u.key ?? ''}>
                {u.key ?? '–'}: {u.count}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Panel>
  );
}

function Satisfaction({ report, text }: { report: SatisfactionReport; text: DashboardText }) {
  const distribution: ChartOption = {
    tooltip: {},
    grid: { left: 40, right: 20, bottom: 30 },
    xAxis: { type: 'category', data: report.distribution.map((d) => String(d.score)) },
    yAxis: { type: 'value' },
    series: [{ name: text('distribution'), type: 'bar', data: report.distribution.map((d) => d.count) }],
  };
  const trend: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { data: [text('meanScore'), text('nps')] },
    grid: { left: 40, right: 40, bottom: 30 },
    xAxis: { type: 'category', data: report.trend.map((t) => t.period) },
    yAxis: [{ type: 'value', name: text('meanScore') }, { type: 'value', name: text('nps') }],
    series: [
      { name: text('meanScore'), type: 'line', data: report.trend.map((t) => t.mean) },
      { name: text('nps'), type: 'line', yAxisIndex: 1, data: report.trend.map((t) => t.nps) },
    ],
  };
  return (
    <Panel title={text('satisfaction')} testId="panel-satisfaction">
      <div className="kpis">
        <div className="kpi" data-testid="kpi-score">
          <span className="kpi-label">{text('meanScore')}</span>
          <strong>{report.mean === null ? '–' : report.mean.toFixed(2)}</strong>
        </div>
        <div className="kpi" data-testid="kpi-nps">
          <span className="kpi-label">{text('nps')}</span>
          <strong>{report.nps.nps === null ? '–' : report.nps.nps.toFixed(1)}</strong>
        </div>
      </div>
      <div className="chart-row">
        <Chart option={distribution} label={text('distribution')} testId="chart-distribution" height={220} />
        <Chart option={trend} label={text('trend')} testId="chart-trend" height={220} />
      </div>
      {report.lowScores.length > 0 ? (
        <>
          <h3>{text('lowScores')}</h3>
          <ul>
            {report.lowScores.map((c) => (
              <li key={c.instanceId}>
                {c.caseNumber ?? c.instanceId} · {c.score} · {c.owner ?? '–'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Panel>
  );
}

function Mix({ report, text }: { report: MixReport; text: DashboardText }) {
  const items = report.pareto.items;
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { data: [text('count'), text('cumulative')] },
    grid: { left: 40, right: 50, bottom: 60 },
    xAxis: { type: 'category', data: items.map((i) => i.key ?? '–'), axisLabel: { rotate: 30 } },
    yAxis: [{ type: 'value' }, { type: 'value', max: 100, name: '%' }],
    series: [
      { name: text('count'), type: 'bar', data: items.map((i) => i.count) },
      {
        name: text('cumulative'),
        type: 'line',
        yAxisIndex: 1,
        data: items.map((i) => Math.round((i.cumulativeShare ?? 0) * 1000) / 10),
        markLine: { symbol: 'none', data: [{ yAxis: report.pareto.threshold * 100 }], label: { formatter: '80%' } },
      },
    ],
  };
  const shares = (list: MixReport['types']) => list.map((i) => `${i.key ?? '–'} ${pct(i.share)}`).join(' · ');
  return (
    <Panel title={text('mix')} testId="panel-mix">
      <p>
        {text('type')}: {shares(report.types)}
      </p>
      <p>
        {text('channel')}: {shares(report.channels)}
      </p>
      <h3>{text('pareto')}</h3>
      <Chart option={option} label={text('pareto')} testId="chart-pareto" />
    </Panel>
  );
}

function People({ report, text, lang }: { report: PeopleReport; text: DashboardText; lang: 'zh-CN' | 'en' }) {
  return (
    <Panel title={text('people')} testId="panel-people">
      <table className="data">
        <thead>
          <tr>
            <th>{text('person')}</th>
            <th>{text('cases')}</th>
            <th>{text('resolutionRate')}</th>
            <th>{text('resolution')}</th>
            <th>{text('meanScore')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {report.rows.map((p) => (
            <tr key={p.key ?? ''} data-testid={`person-${p.key ?? ''}`}>
              <td>
                {p.rank ? `${p.rank}. ` : ''}
                {p.key ?? '–'}
              </td>
              <td>{p.cases}</td>
              <td>{pct(p.resolutionRate)}</td>
              <td>{formatDuration(p.resolutionMs.median, lang)}</td>
              <td>{p.satisfaction === null ? '–' : p.satisfaction.toFixed(2)}</td>
              <td className="bad">{p.coaching ? text('coaching') : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function Incomplete({ report, text }: { report: IncompleteReport; text: DashboardText }) {
  const items = report.items;
  return (
    <Panel title={text('incomplete')} testId="panel-incomplete">
      {items.length === 0 ? (
        <p className="muted">–</p>
      ) : (
        <ul>
          {items.map((c) => (
            <li key={c.instanceId}>
              {c.caseNumber ?? c.instanceId} · {text('missing')}: {c.problems.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Downloads({ filters, text }: { filters: Filters; text: DashboardText }) {
  const link = (period: 'week' | 'month', format: 'csv' | 'xlsx' | 'html') => `/api/analytics/report${query({ ...filters, period, format })}`;
  // The API wants the bearer token, so files come through fetch and leave as blob URLs.
  const download = async (href: string, name: string) => {
    const blob = await fetchBlob(href);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    if (name.endsWith('.html')) a.target = '_blank';
    else a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  };
  return (
    <Panel title={text('download')} testId="panel-downloads">
      {(['week', 'month'] as const).map((period) =>
        (['html', 'xlsx', 'csv'] as const).map((format) => (
          <button key={`${period}-${format}`} type="button" className="btn-secondary" onClick={() => void download(link(period, format), `loopdesk-${period}.${format}`)}>
            {text(period)} · {format.toUpperCase()}
          </button>
        )),
      )}
    </Panel>
  );
}
