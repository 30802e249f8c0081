/**
 * Photos, videos and documents on the case for remote diagnosis (R14): upload with a progress bar,
 * image previews, downloads. The bytes need the bearer token, so previews and downloads are fetched
 * and shown from blob URLs.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type Attachment, api, fetchBlob, uploadFile } from '../../api.ts';
import { ErrorNote } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad } from '../../useLoad.ts';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Preview({ attachment }: { attachment: Attachment }) {
  const { t } = useI18n();
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const controller = new AbortController();
    let made: string | undefined;
    fetchBlob(`/api/attachments/${encodeURIComponent(attachment.id)}/content?inline=1`, controller.signal)
      .then((blob) => {
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [attachment.id]);
  if (!url) return <span className="thumb thumb-empty" aria-hidden="true" />;
  return <img className="thumb" src={url} alt={t('case.attachments.preview', { name: attachment.fileName })} />;
}

export function Attachments({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  const id = useId();
  const path = `/api/instances/${encodeURIComponent(instanceId)}/attachments`;
  const list = useLoad((signal) => api.get<{ items: Attachment[] }>(path, signal), [path]);
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(undefined);
    setProgress(0);
    try {
      await uploadFile<Attachment>(path, file, setProgress).done;
      setFile(undefined);
      if (input.current) input.current.value = '';
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(undefined);
    }
  };

  const download = async (a: Attachment) => {
    try {
      const blob = await fetchBlob(`/api/attachments/${encodeURIComponent(a.id)}/content`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = a.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    }
  };

  const pct = progress === undefined ? undefined : Math.round(progress * 100);
  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`}>{t('case.attachments')}</h2>
      <form onSubmit={upload} className="upload-form">
        <label htmlFor={`${id}-file`}>{t('case.attachments.choose')}</label>
        <div className="input-row">
          <input
            id={`${id}-file`}
            ref={input}
            type="file"
            name="file"
            accept="image/*,video/mp4,video/quicktime,application/pdf"
            onChange={(e) => setFile(e.target.files?.[0])}
          />
          <button type="submit" className="btn-secondary" disabled={!file || pct !== undefined}>
            {t('case.attachments.upload')}
          </button>
        </div>
        {pct !== undefined ? (
          <div className="upload-progress">
            <progress max={100} value={pct} aria-label={t('case.attachments.progress')} />
            <span role="status">{t('case.attachments.uploading', { pct })}</span>
          </div>
        ) : null}
      </form>
      <ErrorNote error={error ?? list.error} />
      {list.data?.items.length === 0 ? <p className="muted">{t('case.attachments.empty')}</p> : null}
      <ul className="attachment-list">
        {list.data?.items.map((a) => (
          <li key={a.id} data-attachment={a.id}>
            {a.contentType.startsWith('image/') ? <Preview attachment={a} /> : <span className="thumb thumb-file" aria-hidden="true">{a.contentType.split('/')[1]}</span>}
            <span className="attachment-meta">
              <strong>{a.fileName}</strong>
              <span className="muted small">
                {size(a.size)} · {a.uploadedBy} · {formatDateTime(a.uploadedAt, lang)}
              </span>
            </span>
            <button type="button" className="btn-link" onClick={() => void download(a)}>
              {t('case.attachments.download')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
