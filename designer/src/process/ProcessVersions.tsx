/**
 * Versions of the open process and what to do with them (R0d, R34): open, publish, pilot for named
 * teams until a date, roll out, roll back; compare two versions (nodes added / removed / changed,
 * marked on the canvas); the pilot users' feedback on the open version, beside the diagram.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { type Api, type Feedback, type ProcessDiff, type ProcessVersion, describeError } from '../shared/api.ts';
import { type Lang, formatTime, translator } from '../shared/i18n.ts';
import type { NoticeState } from '../shared/Notice.tsx';
import { VersionCompare } from '../shared/VersionCompare.tsx';
import type { DiffMarks } from './canvasMarks.ts';
import type { OpenDiagram } from './ProcessDesigner.tsx';

interface Props {
  api: Api;
  lang: Lang;
  open: OpenDiagram;
  refresh: number;
  diff: DiffMarks | null;
  onOpenVersion(key: string, version: number): Promise<void>;
  onDiff(marks: DiffMarks | null): void;
  onChanged(): void;
  onNotice(notice: NoticeState): void;
  focus(id: string): boolean;
  nodes(): { id: string; name: string }[];
}

const inTwoWeeks = () => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

export function ProcessVersions({ api, lang, open, refresh, diff, onOpenVersion, onDiff, onChanged, onNotice, focus, nodes }: Props) {
  const t = useMemo(() => translator(lang), [lang]);
  const [versions, setVersions] = useState<ProcessVersion[]>([]);
  const [pilotFor, setPilotFor] = useState<number | null>(null);
  const [teams, setTeams] = useState('');
  const [until, setUntil] = useState(inTwoWeeks());
  const [from, setFrom] = useState<number | ''>('');
  const [to, setTo] = useState<number | ''>('');
  const [diffResult, setDiffResult] = useState<ProcessDiff | null>(null);
  const [feedback, setFeedback] = useState<Feedback[] | null>(null);
  const [feedbackError, setFeedbackError] = useState<string | null>(null);
  const [feedbackNode, setFeedbackNode] = useState('');
  const [feedbackText, setFeedbackText] = useState('');
  const key = open.key;

  const fail = useCallback((e: unknown) => onNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) }), [onNotice, t]);

  const load = useCallback(async () => {
    if (!key) {
      setVersions([]);
      return;
    }
    try {
      const list = await api.processes(key);
      setVersions([...list].sort((a, b) => b.version - a.version));
    } catch (e) {
      fail(e);
    }
  }, [api, key, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh asks for a fresh read after a deploy or a status change
  useEffect(() => {
    load();
  }, [load, refresh]);

  // Compare the open version with the one before it unless the user chose otherwise.
  // biome-ignore lint/correctness/useExhaustiveDependencies: another process with the same version number counts as a change
  useEffect(() => {
    if (open.version === null) return;
    setTo(open.version);
    setFrom(open.version > 1 ? open.version - 1 : '');
    setDiffResult(null);
  }, [open.key, open.version]);

  const loadFeedback = useCallback(async () => {
    if (!key || open.version === null) {
      setFeedback(null);
      return;
    }
    try {
      setFeedback(await api.feedback(key, open.version));
      setFeedbackError(null);
    } catch (e) {
      setFeedback(null);
      setFeedbackError(describeError(e));
    }
  }, [api, key, open.version]);

  // Again whenever a diagram is opened (a new `open`), so reopening a version shows new feedback.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh and `open` are triggers, not inputs
  useEffect(() => {
    loadFeedback();
  }, [loadFeedback, refresh, open]);

  const act = async (what: () => Promise<unknown>, ok: string) => {
    try {
      await what();
      onNotice({ kind: 'ok', text: ok });
      onChanged();
      await load();
    } catch (e) {
      fail(e);
    }
  };

  const compare = async () => {
    if (!key || from === '' || to === '') return;
    try {
      const result = await api.processDiff(key, from, to);
      setDiffResult(result);
      if (open.version !== to) await onOpenVersion(key, to);
      onDiff({ added: [...(result.added ?? []), ...(result.flows?.added ?? [])], changed: result.changed ?? [] });
    } catch (e) {
      fail(e);
    }
  };

  if (!key) {
    return (
      <aside className="ld-versions" aria-label={t('versions')} data-testid="process-versions">
        <h3>{t('versions')}</h3>
        <p className="ld-muted">{t('noVersions')}</p>
      </aside>
    );
  }

  return (
    <aside className="ld-versions" aria-label={t('versions')} data-testid="process-versions">
      <h3>
        {t('versions')} · <code>{key}</code>
      </h3>
      <ul className="ld-version-list">
        {versions.map((v) => (
          <li key={v.version} className={v.version === open.version ? 'ld-current' : ''} data-version={v.version} data-status={v.status}>
            <div className="ld-version-head">
              <strong>v{v.version}</strong> <span className={`ld-status ld-status-${v.status}`}>{t(`status_${v.status}`)}</span>
              <span className="ld-muted"> {formatTime(v.deployedAt, lang)}</span>
            </div>
            {v.status === 'pilot' && v.pilotTeams ? (
              <div className="ld-muted" data-testid="pilot-info">
                {t('pilotOf', { teams: v.pilotTeams.join(', '), until: formatTime(v.pilotUntil, lang) })}
              </div>
            ) : null}
            <div className="ld-row-actions">
              {v.version !== open.version ? (
                <button type="button" onClick={() => onOpenVersion(v.key, v.version)}>
                  {t('open')}
                </button>
              ) : null}
              {v.status === 'draft' ? (
                <button type="button" onClick={() => act(() => api.publishProcess(v.key, v.version), t('published', { version: v.version }))}>
                  {t('publish')}
                </button>
              ) : null}
              {v.status === 'draft' || v.status === 'pilot' ? (
                <button type="button" data-testid={`pilot-${v.version}`} onClick={() => setPilotFor(pilotFor === v.version ? null : v.version)}>
                  {t('pilotFor')}
                </button>
              ) : null}
              {v.status === 'pilot' ? (
                <button type="button" data-testid={`rollout-${v.version}`} onClick={() => act(() => api.rollout(v.key, v.version), t('rolledOut', { version: v.version }))}>
                  {t('rollout')}
                </button>
              ) : null}
            </div>
            {pilotFor === v.version ? (
              <form
                className="ld-pilot-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  const list = teams.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
                  const iso = new Date(`${until}T23:59:59`).toISOString();
                  act(() => api.pilot(v.key, v.version, list, iso), t('pilotStarted', { version: v.version, teams: list.join(', '), until })).then(() =>
                    setPilotFor(null),
                  );
                }}
              >
                <label>
                  {t('pilotTeams')}
                  <input name="teams" value={teams} onChange={(e) => setTeams(e.target.value)} required />
                </label>
                <label>
                  {t('pilotUntil')}
                  <input name="until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} required />
                </label>
                <button type="submit" className="ld-primary">
                  {t('startPilot')}
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
      {versions.filter((v) => v.status === 'published').length > 1 ? (
        <button type="button" className="ld-danger" data-testid="rollback" onClick={() => act(() => api.rollback(key), t('rolledBack'))}>
          {t('rollback')}
        </button>
      ) : null}

      <h4>{t('compare')}</h4>
      <VersionCompare versions={versions} from={from} to={to} onFrom={setFrom} onTo={setTo} onCompare={compare} t={t} testIdPrefix="diff">
        {diff ? (
          <button type="button" onClick={() => onDiff(null)}>
            {t('clearDiff')}
          </button>
        ) : null}
      </VersionCompare>
      {diffResult && diff ? (
        <div className="ld-diff" data-testid="process-diff">
          {diffResult.added.length + diffResult.removed.length + diffResult.changed.length === 0 ? <p>{t('diffNone')}</p> : null}
          <DiffList label={t('diffAdded')} kind="added" ids={[...diffResult.added, ...(diffResult.flows?.added ?? [])]} focus={focus} />
          <DiffList label={t('diffRemoved')} kind="removed" ids={[...diffResult.removed, ...(diffResult.flows?.removed ?? [])]} focus={focus} />
          <DiffList
            label={t('diffChanged')}
            kind="changed"
            ids={diffResult.changed.map((c) => c.id)}
            details={Object.fromEntries(diffResult.changed.map((c) => [c.id, (c.fields ?? []).join(', ')]))}
            focus={focus}
          />
        </div>
      ) : null}

      <h4>
        {open.version ? t('feedbackFor', { version: open.version }) : t('feedback')}{' '}
        <button type="button" className="ld-link" aria-label="↻" onClick={() => loadFeedback()}>
          ↻
        </button>
      </h4>
      <div data-testid="feedback">
        {feedbackError ? <p className="ld-error-text">{t('failedCall', { message: feedbackError })}</p> : null}
        {feedback && feedback.length === 0 ? <p className="ld-muted">{t('noFeedback')}</p> : null}
        <ul className="ld-feedback-list">
          {(feedback ?? []).map((f, i) => (
            <li key={f.id ?? i}>
              {f.nodeId ? (
                <button type="button" className="ld-link" onClick={() => focus(f.nodeId as string)}>
                  {f.nodeId}
                </button>
              ) : null}
              {f.formKey ? <code> {f.formKey}</code> : null} {f.text}
              <div className="ld-muted">
                {f.author ?? ''} {formatTime(f.createdAt, lang)}
              </div>
            </li>
          ))}
        </ul>
        {open.version ? (
          <form
            className="ld-feedback-form"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!feedbackText.trim() || open.version === null) return;
              try {
                await api.addFeedback(key, open.version, { text: feedbackText.trim(), ...(feedbackNode ? { nodeId: feedbackNode } : {}) });
                setFeedbackText('');
                await loadFeedback();
              } catch (err) {
                fail(err);
              }
            }}
          >
            <select value={feedbackNode} onChange={(e) => setFeedbackNode(e.target.value)} aria-label={t('feedbackNode')}>
              <option value="">{t('feedbackNode')}: –</option>
              {nodes().map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name ? `${n.name} (${n.id})` : n.id}
                </option>
              ))}
            </select>
            <textarea value={feedbackText} onChange={(e) => setFeedbackText(e.target.value)} placeholder={t('feedbackText')} rows={2} />
            <button type="submit">{t('addFeedback')}</button>
          </form>
        ) : null}
      </div>
    </aside>
  );
}

function DiffList({ label, kind, ids, details, focus }: { label: string; kind: string; ids: string[]; details?: Record<string, string>; focus(id: string): boolean }) {
  if (ids.length === 0) return null;
  return (
    <div className={`ld-diff-${kind}`} data-kind={kind}>
      <strong>{label}</strong>
      <ul>
        {ids.map((id) => (
          <li key={id}>
            <button type="button" className="ld-link" onClick={() => focus(id)}>
              {id}
            </button>
            {details?.[id] ? <span className="ld-muted"> {details[id]}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
