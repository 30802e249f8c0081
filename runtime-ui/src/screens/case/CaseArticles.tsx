/** The knowledge articles used on the case (R13), with unlink and a way to find more. */
import { useId, useState } from 'react';
import { api, type CaseArticle } from '../../api.ts';
import { ErrorNote } from '../../components/Status.tsx';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useLoad } from '../../useLoad.ts';

export function CaseArticles({ instanceId }: { instanceId: string }) {
  const { t } = useI18n();
  const id = useId();
  const path = `/api/instances/${encodeURIComponent(instanceId)}/articles`;
  const list = useLoad((signal) => api.get<CaseArticle[]>(path, signal), [path]);
  const [error, setError] = useState<unknown>();

  const unlink = async (a: CaseArticle) => {
    setError(undefined);
    try {
      await api.delete(`${path}/${encodeURIComponent(a.articleId)}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <div className="title-row">
        <h2 id={`${id}-title`}>{t('case.articles')}</h2>
        <Link to={`/knowledge?case=${encodeURIComponent(instanceId)}`} className="btn-secondary">
          {t('case.articles.find')}
        </Link>
      </div>
      <ErrorNote error={error ?? list.error} />
      {list.data?.length === 0 ? <p className="muted">{t('case.articles.empty')}</p> : null}
      <ul className="article-links">
        {list.data?.map((a) => (
          <li key={a.articleId} data-article={a.articleId}>
            <span>
              <Link to={`/knowledge/${encodeURIComponent(a.articleId)}?case=${encodeURIComponent(instanceId)}`}>{a.title}</Link>
              {a.note ? <span className="muted small"> — {a.note}</span> : null}
              <span className="muted small"> · {a.linkedBy}</span>
            </span>
            <button type="button" className="btn-link" onClick={() => void unlink(a)} aria-label={`${t('case.articles.unlink')} ${a.title}`}>
              {t('case.articles.unlink')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
