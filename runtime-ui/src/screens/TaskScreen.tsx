/**
 * One task: its form as the server projects it for this user (hidden, read-only and masked fields
 * applied, R35/R39), live reminders (R32), claim/unclaim, and completion — the server's 422 errors
 * shown beside their fields. A task without a form is completed with one button.
 */
import { useMemo, useRef, useState } from 'react';
import { ApiError, api, type Task, type TaskForm } from '../api.ts';
import { caseFacts } from '../caseFacts.ts';
import { ErrorNote, errorText, Loading } from '../components/Status.tsx';
import { formatDateTime, nodeName } from '../format.ts';
import { type TextKey, useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { isSupervisor, useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { reminders } from '../../../engine/forms/reminders.ts';
import type { FormDefinition } from '../../../engine/forms/types.ts';
import { type FormData, LoopdeskForm } from '../forms/LoopdeskForm.tsx';
import type { PointedText } from '../forms/pointer.ts';

export default function TaskScreen({ taskId }: { taskId: string }) {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const id = encodeURIComponent(taskId);
  const task = useLoad((signal) => api.get<Task>(`/api/tasks/${id}`, signal), [id]);
  const instanceId = task.data?.instanceId;
  const facts = useLoad((signal) => (instanceId && !signal.aborted ? caseFacts(instanceId) : Promise.resolve(null)), [instanceId]);
  const hasForm = Boolean(task.data?.formId);
  // Asked for together with the task (one round trip less); a task without a form answers 404
  // LD_FORM_NOT_PUBLISHED. Texts come in the request's language: fetched again when the language
  // changes (edits are kept).
  const form = useLoad(
    (signal) =>
      api.get<TaskForm>(`/api/tasks/${id}/form`, signal).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'LD_FORM_NOT_PUBLISHED') return null;
        throw err;
      }),
    [id, lang],
  );
  const formKey = form.data ? `${encodeURIComponent(form.data.key)}/versions/${form.data.version}` : undefined;
  const rules = useLoad(
    (signal) => (formKey ? api.get<{ definition: FormDefinition }>(`/api/forms/${formKey}`, signal).then((f) => f.definition) : Promise.resolve(null)),
    [formKey],
  );

  const draft = useRef<FormData | undefined>(undefined);
  const [live, setLive] = useState<FormData>();
  const [serverErrors, setServerErrors] = useState<PointedText[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const initial = useMemo(() => (form.data ? (draft.current ?? (form.data.data as FormData)) : undefined), [form.data]);
  const notes = useMemo(() => {
    if (!form.data) return [];
    if (!rules.data) return form.data.reminders;
    return reminders(rules.data, live ?? initial ?? {}, lang);
  }, [form.data, rules.data, live, initial, lang]);

  const current = task.data;
  const open = current?.state === 'open' && !done;
  const mine = current?.assignee === user?.username;

  const claim = async (action: 'claim' | 'unclaim') => {
    setFailure(undefined);
    try {
      task.set(await api.post<Task>(`/api/tasks/${id}/${action}`));
    } catch (err) {
      setFailure(err);
    }
  };

  const complete = async (data: FormData) => {
    setBusy(true);
    setFailure(undefined);
    setServerErrors([]);
    try {
      task.set(await api.post<Task>(`/api/tasks/${id}/complete`, { data }));
      setDone(true);
      draft.current = undefined;
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.errors.length > 0) {
        setServerErrors(err.errors.map((e) => ({ path: e.path ?? '', message: e.message })));
        setFailure(new Error(t('task.invalid', { message: err.message })));
      } else if (err instanceof ApiError && err.status === 409) {
        setFailure(new Error(t('task.conflict', { message: errorText(err) })));
      } else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  if (task.error) return <ErrorNote error={task.error} onRetry={task.reload} />;
  if (!current) return <Loading />;
  const caseNumber = facts.data?.caseNumber;
  const stateKey = `inbox.state.${current.state}` as TextKey;

  return (
    <section aria-labelledby="task-title" className="task-screen" data-task-state={current.state}>
      <div className="title-row">
        <h1 id="task-title">{nodeName(current.name, current.nodeId, lang)}</h1>
        {caseNumber ? (
          <Link to={`/cases/${encodeURIComponent(caseNumber)}`} className="case-link">
            {t('task.case', { number: caseNumber })}
          </Link>
        ) : null}
      </div>
      <dl className="facts">
        <div>
          <dt>{t('task.state')}</dt>
          <dd>{t(stateKey)}</dd>
        </div>
        <div>
          <dt>{t('task.assignee')}</dt>
          <dd data-testid="task-assignee">{current.assignee ?? t('inbox.unassigned')}</dd>
        </div>
        {current.slaDueAt ? (
          <div>
            <dt>{t('case.sla.due')}</dt>
            <dd>{formatDateTime(current.slaDueAt, lang)}</dd>
          </div>
        ) : null}
        {open ? (
          <div className="button-row">
            {!current.assignee ? (
              <button type="button" className="btn-secondary" onClick={() => void claim('claim')}>
                {t('inbox.claim')}
              </button>
            ) : null}
            {current.assignee && (mine || isSupervisor(user)) ? (
              <button type="button" className="btn-secondary" onClick={() => void claim('unclaim')}>
                {t('inbox.unclaim')}
              </button>
            ) : null}
          </div>
        ) : null}
      </dl>

      {open && !current.assignee ? <p className="note">{t('task.claimFirst')}</p> : null}
      {done ? (
        <div className="note note-ok" role="status" data-testid="task-done">
          {t('task.completed')} <Link to="/inbox">{t('task.backToInbox')}</Link>
          {caseNumber ? (
            <>
              {' · '}
              <Link to={`/cases/${encodeURIComponent(caseNumber)}`}>{t('task.openCase')}</Link>
            </>
          ) : null}
        </div>
      ) : null}
      {!open && !done ? <p className="note">{t('task.readOnly', { state: t(stateKey) })}</p> : null}
      <ErrorNote error={failure} />

      {hasForm ? (
        <div className="card">
          <ErrorNote error={form.error} onRetry={form.reload} />
          {form.data && initial ? (
            <LoopdeskForm
              schema={form.data.schema}
              uiSchema={form.data.uiSchema}
              formData={initial}
              lang={lang}
              reminders={notes}
              serverErrors={serverErrors}
              readOnly={!open}
              onChange={(data) => {
                draft.current = data;
                setLive(data);
              }}
              onSubmit={(data) => void complete(data)}
            />
          ) : (
            <Loading />
          )}
        </div>
      ) : open ? (
        <div className="card">
          <p>{t('task.noForm')}</p>
          <button type="button" className="btn-primary" disabled={busy} onClick={() => void complete({})}>
            {t('task.complete')}
          </button>
        </div>
      ) : null}
      {busy ? (
        <p className="muted" role="status">
          {t('newCase.submitting')}
        </p>
      ) : null}
    </section>
  );
}
