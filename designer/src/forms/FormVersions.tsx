/**
 * Versions of a form (R0d): open one, compare two (the server's field diff), and publish a draft
 * after seeing what changes against the version in use.
 */
import { useCallback, useEffect, useState } from 'react';
import { type Api, type FormDiff, type FormSummary, describeError } from '../shared/api.ts';
import { type Lang, formatTime, translator } from '../shared/i18n.ts';
import type { NoticeState } from '../shared/Notice.tsx';
import { VersionCompare } from '../shared/VersionCompare.tsx';

interface Props {
  api: Api;
  lang: Lang;
  formKey: string;
  versions: FormSummary[];
  openVersion: number | null;
  onOpen(version: number): void;
  onPublished(version: number): void;
  onNotice(n: NoticeState): void;
}

export function FormVersions({ api, lang, formKey, versions, openVersion, onOpen, onPublished, onNotice }: Props) {
  const t = translator(lang);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const [from, setFrom] = useState<number | ''>('');
  const [to, setTo] = useState<number | ''>('');
  const [diff, setDiff] = useState<FormDiff | null>(null);
  const [review, setReview] = useState<{ version: number; from: number | null; diff: FormDiff | null; error?: string } | null>(null);

  // The newest two versions are compared unless the user picks others; again when the list changes.
  const newest = sorted[0]?.version;
  const before = sorted[1]?.version;
  useEffect(() => {
    setTo(newest ?? '');
    setFrom(before ?? '');
    setDiff(null);
  }, [newest, before]);

  const fail = useCallback((e: unknown) => onNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) }), [onNotice, t]);

  const startPublish = async (version: number) => {
    const inUse = sorted.find((v) => v.status === 'published' && v.version < version) ?? sorted.find((v) => v.version < version);
    if (!inUse) {
      setReview({ version, from: null, diff: null });
      return;
    }
    try {
      setReview({ version, from: inUse.version, diff: await api.formDiff(formKey, inUse.version, version) });
    } catch (e) {
      setReview({ version, from: inUse.version, diff: null, error: describeError(e) });
    }
  };

  return (
    <div className="ld-form-versions" data-testid="form-versions">
      <h3>{t('versionList')}</h3>
      <ul className="ld-version-list">
        {sorted.map((v) => (
          <li key={v.version} className={v.version === openVersion ? 'ld-current' : ''} data-version={v.version} data-status={v.status}>
            <strong>v{v.version}</strong> <span className={`ld-status ld-status-${v.status}`}>{t(`status_${v.status}`)}</span>{' '}
            <span className="ld-muted">
              {formatTime(v.createdAt, lang)} {v.createdBy ?? ''}
            </span>
            <span className="ld-row-actions">
              {v.version !== openVersion ? (
                <button type="button" onClick={() => onOpen(v.version)}>
                  {t('open')}
                </button>
              ) : null}
              {v.status === 'draft' ? (
                <button type="button" data-testid={`publish-form-${v.version}`} onClick={() => startPublish(v.version)}>
                  {t('publish')}
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ul>

      {review ? (
        <div className="ld-publish-review" data-testid="publish-review">
          <h4>{review.from === null ? t('publishVersion', { version: review.version }) : t('publishReview', { from: review.from })}</h4>
          {review.from === null ? <p>{t('publishFirst')}</p> : null}
          {review.error ? <p className="ld-error-text">{t('failedCall', { message: review.error })}</p> : null}
          {review.diff ? <FieldDiffView diff={review.diff} t={t} /> : null}
          <button
            type="button"
            className="ld-primary"
            data-testid="confirm-publish"
            onClick={async () => {
              try {
                await api.publishForm(formKey, review.version);
                onNotice({ kind: 'ok', text: t('formPublished', { key: formKey, version: review.version }) });
                setReview(null);
                onPublished(review.version);
              } catch (e) {
                fail(e);
              }
            }}
          >
            {t('confirmPublish')}
          </button>{' '}
          <button type="button" onClick={() => setReview(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : null}

      <h4>{t('compare')}</h4>
      <VersionCompare
        versions={sorted}
        from={from}
        to={to}
        onFrom={setFrom}
        onTo={setTo}
        t={t}
        testIdPrefix="form-diff"
        onCompare={async () => {
          if (from === '' || to === '') return;
          try {
            setDiff(await api.formDiff(formKey, from, to));
          } catch (e) {
            fail(e);
          }
        }}
      />
      {diff ? <FieldDiffView diff={diff} t={t} /> : null}
    </div>
  );
}

function PathList({ kind, title, paths }: { kind: string; title: string; paths: readonly string[] }) {
  if (paths.length === 0) return null;
  return (
    <div className={`ld-diff-${kind}`} data-kind={kind}>
      <strong>{title}</strong>
      <ul>
        {paths.map((p) => (
          <li key={p}>
            <code>{p}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function FieldDiffView({ diff, t }: { diff: FormDiff; t: (k: string) => string }) {
  const changed = diff.changed.map((c) => (typeof c === 'string' ? { path: c, keywords: [] as string[] } : { path: c.path, keywords: c.keywords ?? [] }));
  if (diff.added.length + diff.removed.length + changed.length === 0) return <p data-testid="form-diff">{t('diffNone')}</p>;
  return (
    <div className="ld-diff" data-testid="form-diff">
      <PathList kind="added" title={t('diffAdded')} paths={diff.added} />
      <PathList kind="removed" title={t('diffRemoved')} paths={diff.removed} />
      {changed.length > 0 ? (
        <div className="ld-diff-changed" data-kind="changed">
          <strong>{t('diffChanged')}</strong>
          <ul>
            {changed.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code> <span className="ld-muted">{c.keywords.join(', ')}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
