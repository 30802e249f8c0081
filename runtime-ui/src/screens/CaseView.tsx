/**
 * One case: number, customer (as masked for this user), state, who has it, SLA clocks with the time
 * left, the timeline of node visits with wall and working durations, progress log, attachments,
 * knowledge used, and — for supervisors — the audit trail.
 */
import { useState } from 'react';
import { ApiError, api, type Instance, type SlaClock } from '../api.ts';
import { useEngineNow } from '../clock.ts';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { formatDateTime, nodeName } from '../format.ts';
import { hasText, useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { isSupervisor, useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { Attachments } from './case/Attachments.tsx';
import { AuditTrail } from './case/AuditTrail.tsx';
import { CaseArticles } from './case/CaseArticles.tsx';
import { Incidents } from './case/Incidents.tsx';
import { ProgressLog } from './case/ProgressLog.tsx';
import { SlaClocks } from './case/SlaClocks.tsx';
import { Timeline } from './case/Timeline.tsx';

type Form = Record<string, unknown>;

/** The form variables of the case (each form's data under its own variable), intake first. */
function formsOf(variables: Record<string, unknown>): Form[] {
  const forms = Object.values(variables).filter((v): v is Form => Boolean(v) && typeof v === 'object' && !Array.isArray(v));
  return forms.sort((a, b) => Number('urgency' in b) - Number('urgency' in a));
}

function first(forms: Form[], field: string): unknown {
  for (const f of forms) if (f[field] !== undefined && f[field] !== null && f[field] !== '') return f[field];
  return undefined;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

export function CaseView({ caseNumber, instanceId }: { caseNumber?: string; instanceId?: string }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const [refresh, setRefresh] = useState(0);
  const path = caseNumber ? `/api/cases/${encodeURIComponent(caseNumber)}` : `/api/instances/${encodeURIComponent(instanceId ?? '')}`;
  const instance = useLoad((signal) => api.get<Instance>(path, signal), [path, refresh]);
  const id = instance.data?.id;
  const clocks = useLoad(
    (signal) => (id ? api.get<SlaClock[]>(`/api/instances/${encodeURIComponent(id)}/sla`, signal) : Promise.resolve([])),
    [id, refresh],
  );
  const now = useEngineNow(refresh);

  if (instance.error instanceof ApiError && instance.error.status === 404) return <p className="note">{t('case.notFound')}</p>;
  if (instance.error && !instance.data) return <ErrorNote error={instance.error} onRetry={instance.reload} />;
  const inst = instance.data;
  if (!inst) return <Loading />;

  const forms = formsOf(inst.variables ?? {});
  const stateKey = `case.state.${inst.state}`;
  const expected = text(first(forms, 'expectedCompletion'));
  const promised = text(inst.variables?.promisedContactAt);
  const highValue = first(forms, 'highValueCustomer') === true;
  const assignees = [...new Set(inst.openTasks.map((task) => task.assignee).filter(Boolean))];
  const groups = [...new Set(inst.openTasks.flatMap((task) => task.candidateGroups ?? []))];
  const facts: [string, string | undefined, string?][] = [
    [t('case.customer'), text(first(forms, 'customerName')), 'customer'],
    [t('case.phone'), text(first(forms, 'phone')), 'phone'],
    [t('case.company'), text(first(forms, 'company'))],
    [t('case.region'), text(first(forms, 'region'))],
    [t('case.specialNeeds'), text(first(forms, 'specialNeeds'))],
    [t('case.started'), formatDateTime(inst.startedAt, lang)],
    [t('case.expected'), expected ? formatDateTime(Date.parse(expected), lang) : undefined],
    [t('case.promised'), promised ? formatDateTime(Date.parse(promised), lang) : undefined],
  ];

  return (
    <section aria-labelledby="case-title" className="case-view" data-state={inst.state}>
      <div className="title-row">
        <h1 id="case-title">{t('case.title', { number: inst.caseNumber ?? inst.id })}</h1>
        <span className={`tag state-${inst.state}`} data-testid="case-state">
          {hasText(stateKey) ? t(stateKey) : inst.state}
        </span>
        {highValue ? <span className="tag">{t('newCase.highValue')}</span> : null}
        <button type="button" className="btn-secondary" onClick={() => setRefresh((n) => n + 1)} data-testid="case-refresh">
          {t('refresh')}
        </button>
      </div>
      {inst.duplicateOf ? (
        <p className="note note-warn">
          {t('case.duplicateOf')}: <Link to={`/cases/${encodeURIComponent(inst.duplicateOf)}`}>{inst.duplicateOf}</Link>
        </p>
      ) : null}

      <div className="case-grid">
        <div className="case-main">
          <section aria-labelledby="case-summary" className="card">
            <h2 id="case-summary">{t('case.summary')}</h2>
            <dl className="facts">
              {facts
                .filter(([, value]) => value !== undefined)
                .map(([label, value, testid]) => (
                  <div key={label}>
                    <dt>{label}</dt>
                    <dd data-testid={testid ? `case-${testid}` : undefined}>{value}</dd>
                  </div>
                ))}
              <div>
                <dt>{t('case.assignee')}</dt>
                <dd data-testid="case-assignee">{assignees.length ? assignees.join(', ') : groups.length ? groups.join(', ') : '—'}</dd>
              </div>
              <div>
                <dt>{t('case.openTasks')}</dt>
                <dd>
                  {inst.openTasks.length === 0
                    ? '—'
                    : inst.openTasks.map((task) => (
                        <Link key={task.id} to={`/tasks/${encodeURIComponent(task.id)}`} className="task-chip" data-node={task.nodeId}>
                          {nodeName(task.name, task.nodeId, lang)}
                        </Link>
                      ))}
                </dd>
              </div>
            </dl>
          </section>
          <Incidents instanceId={inst.id} incidents={inst.incidents ?? []} canRetry={isSupervisor(user)} onChanged={() => setRefresh((n) => n + 1)} />
          <ErrorNote error={clocks.error} />
          <SlaClocks clocks={clocks.data ?? []} now={now} />
          <Timeline history={inst.history} now={now} />
        </div>
        <div className="case-side">
          <ProgressLog instanceId={inst.id} />
          <Attachments instanceId={inst.id} />
          <CaseArticles instanceId={inst.id} />
          {isSupervisor(user) ? <AuditTrail instanceId={inst.id} /> : null}
        </div>
      </div>
    </section>
  );
}
