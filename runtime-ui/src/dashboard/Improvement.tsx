/**
 * The "prove the change worked" half of the dashboard (PDCA): the pilot version against the
 * baseline (R34), improvement actions measured before and after their effective date (R28), and
 * the weekly review of a 10% sample of first-contact failures and complaints (R27).
 */
import { type FormEvent, useState } from 'react';
import { ApiError, api, query } from '../api.ts';
import { Loading } from '../components/Status.tsx';
import type { Lang } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { useLoad } from '../useLoad.ts';
import { ComparisonTable } from './Comparison.tsx';
import type { Filters } from './Dashboard.tsx';
import { type DashboardKey, type DashboardText, METRIC_CHOICES, metricName } from './messages.ts';
import { formatMetric, Panel, TableHead } from './parts.tsx';
import type { ActionComparison, Definition, OptimisationAction, PilotReport, WeeklyReview } from './types.ts';

const errorText = (e: unknown) => (e instanceof ApiError ? `${e.message}${e.errors.length ? `: ${e.errors.map((x) => `${x.path} ${x.message}`).join('; ')}` : ''}` : String((e as Error)?.message ?? e));

/** The version to compare: the one picked in the filters, else a version in pilot. */
function pilotVersion(filters: Filters, processes: Definition[]): Definition | undefined {
  if (filters.processKey && filters.version) return processes.find((p) => p.key === filters.processKey && String(p.version) === filters.version);
  return processes.find((p) => p.status === 'pilot' && (!filters.processKey || p.key === filters.processKey));
}

export function PilotPanel({ filters, processes, text, lang }: { filters: Filters; processes: Definition[]; text: DashboardText; lang: Lang }) {
  const target = pilotVersion(filters, processes);
  const { from, to, department, channel, type, urgency } = filters;
  const report = useLoad(
    (signal) =>
      target
        ? api.get<PilotReport>(`/api/analytics/pilot${query({ processKey: target.key, version: String(target.version), from, to, department, channel, type, urgency })}`, signal)
        : Promise.resolve(undefined),
    [target?.key, target?.version, from, to, department, channel, type, urgency],
  );
  return (
    <Panel title={text('pilot')} testId="panel-pilot">
      {!target ? (
        <p className="muted">{text('pilotNone')}</p>
      ) : report.error ? (
        <p className="error">{errorText(report.error)}</p>
      ) : !report.data ? (
        <Loading />
      ) : (
        <>
          <p>
            {target.name ?? target.key} v{target.version}
            {report.data.pilotTeams?.length ? ` · ${report.data.pilotTeams.join(', ')}` : ''}
          </p>
          <ComparisonTable comparison={report.data.comparison} labels={[`${text('pilotGroup')} v${target.version}`, text('baselineGroup')]} text={text} lang={lang} testId="pilot-comparison" />
        </>
      )}
    </Panel>
  );
}

export function ActionsPanel({ filters, processes, text, lang }: { filters: Filters; processes: Definition[]; text: DashboardText; lang: Lang }) {
  const actions = useLoad((signal) => api.get<OptimisationAction[]>(`/api/analytics/actions${query({ processKey: filters.processKey })}`, signal), [filters.processKey]);
  const [open, setOpen] = useState<string | null>(null);
  const [comparison, setComparison] = useState<ActionComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = async (a: OptimisationAction, evaluate: boolean) => {
    setError(null);
    try {
      const c = evaluate
        ? await api.post<ActionComparison>(`/api/analytics/actions/${a.id}/evaluate`)
        : await api.get<ActionComparison>(`/api/analytics/actions/${a.id}/comparison`);
      setOpen(a.id);
      setComparison(c);
      if (evaluate) actions.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Panel title={text('actions')} testId="panel-actions">
      {error ? <p className="error">{error}</p> : null}
      {!actions.data ? (
        <Loading />
      ) : actions.data.length === 0 ? (
        <p className="muted">{text('noActions')}</p>
      ) : (
        <table className="data" data-testid="actions-table">
          <TableHead columns={[text('actionTitle'), text('metric'), text('effectiveAt'), text('target'), text('before'), text('after'), text('status'), '']} />
          <tbody>
            {actions.data.map((a) => (
              <tr key={a.id} data-action={a.title}>
                <td>{a.title}</td>
                <td>{metricName(a.metric, lang)}</td>
                <td>{new Date(a.effectiveAt).toLocaleDateString(lang)}</td>
                <td>{formatMetric(a.metric, a.target, lang)}</td>
                <td>{formatMetric(a.metric, a.before ?? null, lang)}</td>
                <td>{formatMetric(a.metric, a.after ?? null, lang)}</td>
                <td className={a.status === 'achieved' ? 'ok' : a.status === 'needs-another-round' ? 'bad' : 'muted'} data-status={a.status}>
                  {text(`status.${a.status}` as DashboardKey)}
                </td>
                <td>
                  <button type="button" className="btn-secondary" onClick={() => void show(a, false)}>
                    {text('compare')}
                  </button>
                  <button type="button" className="btn-secondary" onClick={() => void show(a, true)}>
                    {text('evaluate')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && comparison ? (
        <ComparisonTable comparison={comparison.comparison} labels={[text('after'), text('before')]} text={text} lang={lang} testId="action-comparison" />
      ) : null}
      <NewAction processes={processes} defaultProcess={filters.processKey} text={text} lang={lang} onCreated={actions.reload} />
    </Panel>
  );
}

function NewAction({
  processes,
  defaultProcess,
  text,
  lang,
  onCreated,
}: {
  processes: Definition[];
  defaultProcess?: string;
  text: DashboardText;
  lang: Lang;
  onCreated(): void;
}) {
  const keys = [...new Set(processes.map((p) => p.key))];
  const [draft, setDraft] = useState({ title: '', processKey: defaultProcess ?? keys[0] ?? '', effectiveAt: '', metric: 'resolutionMs.median', target: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    // Durations are typed as ISO 8601 (PT24H); everything else is a number (a rate as 0.8).
    const target = /^P/i.test(draft.target) ? draft.target.toUpperCase() : Number(draft.target);
    try {
      await api.post('/api/analytics/actions', { ...draft, target });
      setDraft({ ...draft, title: '', target: '' });
      onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const set = (key: keyof typeof draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  return (
    <form className="filter-bar" aria-label={text('addAction')} onSubmit={(e) => void submit(e)} data-testid="new-action">
      <label>
        {text('actionTitle')}
        <input value={draft.title} onChange={set('title')} required data-testid="action-title" />
      </label>
      <label>
        {text('process')}
        <select value={draft.processKey} onChange={set('processKey')} data-testid="action-process">
          {keys.map((k) => (
            <option key={k} value={k}>
              {processes.find((p) => p.key === k)?.name ?? k}
            </option>
          ))}
        </select>
      </label>
      <label>
        {text('effectiveAt')}
        <input type="date" value={draft.effectiveAt} onChange={set('effectiveAt')} required data-testid="action-effective" />
      </label>
      <label>
        {text('metric')}
        <select value={draft.metric} onChange={set('metric')} data-testid="action-metric">
          {METRIC_CHOICES.map((m) => (
            <option key={m} value={m}>
              {metricName(m, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {text('target')}
        <input value={draft.target} onChange={set('target')} required placeholder="PT24H / 0.8" data-testid="action-target" />
      </label>
      <button type="submit">{text('addAction')}</button>
      {error ? <p className="error">{error}</p> : null}
    </form>
  );
}

/** The ISO week (2024-W19) a day falls in: weeks start on Monday, week 1 holds the first Thursday. */
export function isoWeekOf(day: Date): string {
  const d = new Date(Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function ReviewPanel({ filters, text }: { filters: Filters; text: DashboardText }) {
  // The last complete week: this week's cases are still being closed.
  const [week, setWeek] = useState(() => isoWeekOf(new Date(Date.now() - 7 * 86_400_000)));
  const processKey = filters.processKey;
  const review = useLoad((signal) => api.get<WeeklyReview>(`/api/analytics/reviews/${week}${query({ processKey })}`, signal), [week, processKey]);
  const [error, setError] = useState<string | null>(null);
  const act = async (call: () => Promise<unknown>) => {
    setError(null);
    try {
      await call();
      review.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const r = review.data;
  return (
    <Panel title={text('review')} testId="panel-review">
      <div className="filter-bar">
        <label>
          {text('isoWeek')}
          <input type="week" value={week} onChange={(e) => e.target.value && setWeek(e.target.value)} data-testid="review-week" />
        </label>
        {r && !r.frozen && r.candidates > 0 ? (
          <button type="button" onClick={() => void act(() => api.post(`/api/analytics/reviews/${week}/sample${query({ processKey })}`))} data-testid="review-draw">
            {text('drawSample')}
          </button>
        ) : null}
      </div>
      {error || review.error ? <p className="error">{error ?? errorText(review.error)}</p> : null}
      {!r ? (
        <Loading />
      ) : (
        <>
          <p className="muted" data-testid="review-summary" data-frozen={String(r.frozen)}>
            {text('candidates')}: {r.candidates} · {text('sampleSize')}: {r.sampleSize} · {r.frozen ? text('frozen') : text('notFrozen')}
          </p>
          {r.sample.length === 0 ? (
            <p className="muted">{text('noSample')}</p>
          ) : (
            <table className="data" data-testid="review-sample">
              <TableHead columns={[text('case'), text('reason'), text('type'), text('owner'), text('description'), text('findings')]} />
              <tbody>
                {r.sample.map((c) => (
                  <tr key={c.instanceId} data-case={c.caseNumber ?? c.instanceId}>
                    <td>
                      <Link to={`/instances/${c.instanceId}`}>{c.caseNumber ?? c.instanceId}</Link>
                    </td>
                    <td>{text(`reason.${c.reason}` as DashboardKey)}</td>
                    <td>{c.type ?? '–'}</td>
                    <td>{c.owner ?? '–'}</td>
                    <td>{c.description ?? ''}</td>
                    <td>
                      {r.frozen ? (
                        <FindingForm text={text} onSubmit={(f) => act(() => api.post(`/api/analytics/reviews/${week}/findings`, { instanceId: c.instanceId, ...f }))} />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {r.findings.length ? (
            <>
              <h3>{text('findings')}</h3>
              <ul data-testid="review-findings">
                {r.findings.map((f) => (
                  <li key={f.id}>
                    <b>{text(`category.${f.category}` as DashboardKey)}</b> · {r.sample.find((c) => c.instanceId === f.instanceId)?.caseNumber ?? f.instanceId}: {f.cause}
                    {f.action ? ` → ${f.action}` : ''} <span className="muted">({f.recordedBy})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </Panel>
  );
}

function FindingForm({ text, onSubmit }: { text: DashboardText; onSubmit(f: { category: string; cause: string; action?: string }): Promise<void> }) {
  const [category, setCategory] = useState('process');
  const [cause, setCause] = useState('');
  const [action, setAction] = useState('');
  return (
    <form
      className="finding-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit({ category, cause, ...(action ? { action } : {}) }).then(() => {
          setCause('');
          setAction('');
        });
      }}
    >
      <select value={category} onChange={(e) => setCategory(e.target.value)} aria-label={text('category')}>
        {(['people', 'process', 'tool'] as const).map((c) => (
          <option key={c} value={c}>
            {text(`category.${c}`)}
          </option>
        ))}
      </select>
      <input value={cause} onChange={(e) => setCause(e.target.value)} required aria-label={text('cause')} placeholder={text('cause')} />
      <input value={action} onChange={(e) => setAction(e.target.value)} aria-label={text('improvement')} placeholder={text('improvement')} />
      <button type="submit">{text('record')}</button>
    </form>
  );
}
