/**
 * The case's progress log (R16): entries with time and author, newest first; an entry marked for
 * the customer is also sent to them as a milestone.
 */
import { type FormEvent, useId, useState } from 'react';
import { api, type ProgressEntry } from '../../api.ts';
import { ErrorNote } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad } from '../../useLoad.ts';

export function ProgressLog({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  const id = useId();
  const path = `/api/instances/${encodeURIComponent(instanceId)}/progress`;
  const log = useLoad((signal) => api.get<{ items: ProgressEntry[] }>(path, signal), [path]);
  const [text, setText] = useState('');
  const [visible, setVisible] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post<ProgressEntry>(path, { text: text.trim(), customerVisible: visible });
      setText('');
      setVisible(false);
      log.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`}>{t('case.progress')}</h2>
      <form onSubmit={add} className="progress-form">
        <label htmlFor={`${id}-text`}>{t('case.progress.text')}</label>
        <textarea id={`${id}-text`} name="progress-text" rows={2} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="input-row">
          <label className="checkbox">
            <input type="checkbox" name="customer-visible" checked={visible} onChange={(e) => setVisible(e.target.checked)} />
            {t('case.progress.visible')}
          </label>
          <button type="submit" className="btn-secondary" disabled={busy || !text.trim()}>
            {t('case.progress.add')}
          </button>
        </div>
      </form>
      <ErrorNote error={error ?? log.error} />
      {log.data?.items.length === 0 ? <p className="muted">{t('case.progress.empty')}</p> : null}
      <ol className="progress-list">
        {log.data?.items.map((entry) => (
          <li key={entry.id} data-kind={entry.kind}>
            <span className="muted small">
              {formatDateTime(entry.at, lang)} · {entry.author}
            </span>
            <span>{entry.text}</span>
            {entry.customerVisible ? <span className="tag">{t('case.progress.customerVisible')}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
