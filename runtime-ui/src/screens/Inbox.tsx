/**
 * The inbox: my tasks and my groups' tasks (supervisors: all), soonest SLA breach first with a live
 * countdown, queues with their counts, filters, claim/unclaim. The server pages the list (25 rows
 * at a time), so ten thousand open tasks cost the same page as ten.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, type Task, type TaskPage, query } from '../api.ts';
import { type CaseFacts, caseFacts, rowDeadline } from '../caseFacts.ts';
import { useEngineNow } from '../clock.ts';
import { SlaCountdown } from '../components/SlaCountdown.tsx';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { nodeName } from '../format.ts';
import { hasText, useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { isSupervisor, useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';

const PAGE_SIZE = 25;
const HOUR = 3_600_000;
const DUE_WINDOWS: Record<string, number> = { overdue: 0, '2h': 2 * HOUR, '24h': 24 * HOUR };
const URGENCIES = ['high', 'normal', 'low'];
const TYPES = ['complaint', 'inquiry', 'suggestion', 'fault', 'after-sales', 'other'];

interface Queue {
  id: string;
  label: string;
  params: Record<string, string>;
}

interface ProcessDef {
  key: string;
  name?: string | null;
  status: string;
}

function useFacts(tasks: readonly Task[] | undefined, refresh: number): Map<string, CaseFacts> {
  const [facts, setFacts] = useState(new Map<string, CaseFacts>());
  useEffect(() => {
    if (!tasks) return;
    let live = true;
    const ids = [...new Set(tasks.map((t) => t.instanceId))];
    Promise.all(ids.map((id) => caseFacts(id, refresh > 0))).then((found) => {
      if (!live) return;
      const next = new Map<string, CaseFacts>();
      for (const f of found) if (f) next.set(f.id, f);
      setFacts(next);
    });
    return () => {
      live = false;
    };
  }, [tasks, refresh]);
  return facts;
}

export function Inbox() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const [queue, setQueue] = useState('all');
  const [state, setState] = useState('open');
  const [processKey, setProcessKey] = useState('');
  const [due, setDue] = useState('');
  const [urgency, setUrgency] = useState('');
  const [type, setType] = useState('');
  const [sort, setSort] = useState('timeToBreach');
  const [page, setPage] = useState(0);
  const [refresh, setRefresh] = useState(0);
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const now = useEngineNow(refresh);

  const queues = useMemo<Queue[]>(() => {
    if (!user) return [];
    const groups = [...new Set([...(user.teams ?? []), ...(user.departments ?? [])])];
    const all: Queue = { id: 'all', label: t('inbox.queue.all'), params: {} };
    return [
      all,
      { id: 'mine', label: t('inbox.queue.mine'), params: { assignee: user.username } },
      ...groups.map((g) => ({ id: `group:${g}`, label: t('inbox.queue.group', { name: g }), params: { candidateGroup: g } })),
    ];
  }, [user, t]);
  const active = queues.find((q) => q.id === queue) ?? queues[0];

  const processes = useLoad((signal) => api.get<ProcessDef[]>('/api/processes', signal), []);
  const processOptions = useMemo(() => {
    const byKey = new Map<string, string>();
    for (const p of processes.data ?? []) byKey.set(p.key, nodeName(p.name, p.key, lang));
    return [...byKey.entries()];
  }, [processes.data, lang]);

  const list = useLoad(
    (signal) =>
      api.get<TaskPage>(
        `/api/tasks${query({
          ...active?.params,
          state,
          processKey,
          sort,
          breachWithinMs: due ? DUE_WINDOWS[due] : undefined,
          limit: PAGE_SIZE,
          offset: page * PAGE_SIZE,
        })}`,
        signal,
      ),
    [active, state, processKey, sort, due, page, refresh],
  );

  const counts = useLoad(
    async (signal) => {
      const totals = await Promise.all(
        queues.map((q) => api.get<TaskPage>(`/api/tasks${query({ ...q.params, state: 'open', limit: 1 })}`, signal).then((p) => p.total)),
      );
      return new Map(queues.map((q, i) => [q.id, totals[i]!]));
    },
    [queues, refresh],
  );

  const facts = useFacts(list.data?.items, refresh);
  const items = list.data?.items ?? [];
  const shown = items.filter((task) => {
    const f = facts.get(task.instanceId);
    if (urgency && f?.urgency !== urgency) return false;
    if (type && f?.type !== type) return false;
    return true;
  });
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(0);
    };

  const act = async (task: Task, action: 'claim' | 'unclaim') => {
    setBusy(task.id);
    setActionError(undefined);
    try {
      await api.post(`/api/tasks/${encodeURIComponent(task.id)}/${action}`);
      setRefresh((n) => n + 1);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  };

  const label = (prefix: 'urgency' | 'type', value: string | undefined) => {
    if (!value) return '—';
    const key = `${prefix}.${value}`;
    return hasText(key) ? t(key) : value;
  };

  return (
    <section aria-labelledby="inbox-title" className="inbox">
      <div className="title-row">
        <h1 id="inbox-title">{t('inbox.title')}</h1>
        <button type="button" className="btn-secondary" onClick={() => setRefresh((n) => n + 1)}>
          {t('refresh')}
        </button>
      </div>

      <nav aria-label={t('inbox.queues')} className="queues">
        <ul>
          {queues.map((q) => (
            <li key={q.id}>
              <button
                type="button"
                className="queue"
                aria-pressed={active?.id === q.id}
                data-queue={q.id}
                onClick={() => change(setQueue)(q.id)}
              >
                <span>{q.label}</span>
                <span className="count" data-testid={`count-${q.id}`}>
                  {counts.data?.get(q.id) ?? '…'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </nav>

      <fieldset className="filters">
        <legend>{t('inbox.filters')}</legend>
        <label>
          {t('inbox.state')}
          <select value={state} onChange={(e) => change(setState)(e.target.value)} name="state">
            {['open', 'completed', 'cancelled'].map((s) => (
              <option key={s} value={s}>
                {t(`inbox.state.${s}` as 'inbox.state.open')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.process')}
          <select value={processKey} onChange={(e) => change(setProcessKey)(e.target.value)} name="process">
            <option value="">{t('inbox.process.any')}</option>
            {processOptions.map(([key, name]) => (
              <option key={key} value={key}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.due')}
          <select value={due} onChange={(e) => change(setDue)(e.target.value)} name="due">
            <option value="">{t('inbox.due.any')}</option>
            <option value="overdue">{t('inbox.due.overdue')}</option>
            <option value="2h">{t('inbox.due.2h')}</option>
            <option value="24h">{t('inbox.due.24h')}</option>
          </select>
        </label>
        <label>
          {t('inbox.urgency')}
          <select value={urgency} onChange={(e) => setUrgency(e.target.value)} name="urgency">
            <option value="">{t('inbox.any')}</option>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {label('urgency', u)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.type')}
          <select value={type} onChange={(e) => setType(e.target.value)} name="type">
            <option value="">{t('inbox.any')}</option>
            {TYPES.map((v) => (
              <option key={v} value={v}>
                {label('type', v)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.sort')}
          <select value={sort} onChange={(e) => change(setSort)(e.target.value)} name="sort">
            <option value="timeToBreach">{t('inbox.sort.timeToBreach')}</option>
            <option value="created">{t('inbox.sort.created')}</option>
          </select>
        </label>
        <p className="muted small">{t('inbox.pageFilterNote')}</p>
      </fieldset>

      <ErrorNote error={actionError} />
      <ErrorNote error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading /> : null}

      {list.data ? (
        <>
          <table className="task-table" aria-describedby="inbox-total" aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">{t('inbox.col.task')}</th>
                <th scope="col">{t('inbox.col.case')}</th>
                <th scope="col">{t('inbox.col.customer')}</th>
                <th scope="col">{t('inbox.col.urgency')}</th>
                <th scope="col">{t('inbox.col.type')}</th>
                <th scope="col">{t('inbox.col.sla')}</th>
                <th scope="col">{t('inbox.col.assignee')}</th>
                <th scope="col">{t('inbox.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((task) => {
                const f = facts.get(task.instanceId);
                const deadline = rowDeadline(task.slaDueAt, f?.clocks ?? []);
                const mine = task.assignee === user?.username;
                const open = task.state === 'open';
                return (
                  <tr key={task.id} data-task={task.id} data-node={task.nodeId}>
                    <td data-label={t('inbox.col.task')}>
                      <Link to={`/tasks/${encodeURIComponent(task.id)}`} className="task-name">
                        {nodeName(task.name, task.nodeId, lang)}
                      </Link>
                    </td>
                    <td data-label={t('inbox.col.case')}>
                      {f?.caseNumber ? <Link to={`/cases/${encodeURIComponent(f.caseNumber)}`}>{f.caseNumber}</Link> : '—'}
                    </td>
                    <td data-label={t('inbox.col.customer')}>{f?.customerName ?? '—'}</td>
                    <td data-label={t('inbox.col.urgency')}>
                      {f?.urgency ? <span className={`tag urgency-${f.urgency}`}>{label('urgency', f.urgency)}</span> : '—'}
                    </td>
                    <td data-label={t('inbox.col.type')}>{label('type', f?.type)}</td>
                    <td data-label={t('inbox.col.sla')}>
                      {open ? <SlaCountdown dueAt={deadline.dueAt} startedAt={deadline.startedAt} now={now} /> : '—'}
                    </td>
                    <td data-label={t('inbox.col.assignee')}>{task.assignee ?? <span className="muted">{t('inbox.unassigned')}</span>}</td>
                    <td data-label={t('inbox.col.actions')} className="actions">
                      {open && !task.assignee ? (
                        <button type="button" className="btn-secondary" disabled={busy === task.id} onClick={() => void act(task, 'claim')}>
                          {t('inbox.claim')}
                        </button>
                      ) : null}
                      {open && task.assignee && (mine || isSupervisor(user)) ? (
                        <button type="button" className="btn-secondary" disabled={busy === task.id} onClick={() => void act(task, 'unclaim')}>
                          {t('inbox.unclaim')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length === 0 ? <p className="note">{t('inbox.empty')}</p> : null}
          {shown.length < items.length ? <p className="muted small">{t('inbox.hiddenByFilter', { n: items.length - shown.length })}</p> : null}
          <div className="pager">
            <span id="inbox-total" role="status">
              {t('inbox.total', { n: total })} · {t('inbox.page', { page: page + 1, pages })}
            </span>
            <button type="button" className="btn-secondary" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
              {t('inbox.prev')}
            </button>
            <button type="button" className="btn-secondary" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
              {t('inbox.next')}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
