/**
 * The fault-diagnosis knowledge base (R13): results while typing (Chinese included: "空调不制冷"
 * finds "空调制冷效果差"), the matched words marked, an article with causes and steps, and — when
 * opened from a case — "link to this case".
 */
import { type FormEvent, Fragment, type ReactNode, useEffect, useId, useState } from 'react';
import { type Article, api, type CaseArticle, type SearchResult } from '../api.ts';
import { caseFacts } from '../caseFacts.ts';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useLoad } from '../useLoad.ts';

const DEBOUNCE_MS = 200;

type Span = { start: number; end: number };

/** `text` with the spans wrapped in <mark>. */
function Marked({ text, spans }: { text: string; spans: readonly Span[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (const s of sorted) {
    if (s.start < at) continue;
    if (s.start > at) parts.push(<Fragment key={`t${at}`}>{text.slice(at, s.start)}</Fragment>);
    parts.push(<mark key={`m${s.start}`}>{text.slice(s.start, s.end)}</mark>);
    at = s.end;
  }
  if (at < text.length) parts.push(<Fragment key="rest">{text.slice(at)}</Fragment>);
  return <>{parts}</>;
}

function useCaseNumber(caseId: string | undefined): string | undefined {
  const facts = useLoad(() => (caseId ? caseFacts(caseId) : Promise.resolve(null)), [caseId]);
  return facts.data?.caseNumber ?? (facts.data ? facts.data.id : undefined);
}

function withCase(path: string, caseId: string | undefined, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  if (caseId) q.set('case', caseId);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function KnowledgeSearch({ caseId }: { caseId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const { params } = useLocation();
  const [q, setQ] = useState(params.get('q') ?? '');
  const [debounced, setDebounced] = useState(q);
  const caseNumber = useCaseNumber(caseId);

  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(q.trim()), DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [q]);
  useEffect(() => {
    // Keep the query in the URL, so "back" from an article returns to these results.
    navigate(withCase('/knowledge', caseId, debounced ? { q: debounced } : {}), { replace: true });
  }, [debounced, caseId]);

  const results = useLoad(
    (signal) => api.get<SearchResult>(`/api/knowledge/search?q=${encodeURIComponent(debounced)}&limit=20`, signal),
    [debounced],
  );

  return (
    <section aria-labelledby={`${id}-title`} className="knowledge">
      <h1 id={`${id}-title`}>{t('kb.title')}</h1>
      {caseId ? (
        <p className="note">
          {t('kb.forCase', { number: caseNumber ?? '…' })}{' '}
          {caseNumber ? <Link to={`/cases/${encodeURIComponent(caseNumber)}`}>{caseNumber}</Link> : null}
        </p>
      ) : null}
      <search>
      <form onSubmit={(e: FormEvent) => e.preventDefault()} className="kb-search">
        <label htmlFor={`${id}-q`}>{t('kb.search')}</label>
        <input
          id={`${id}-q`}
          type="search"
          name="q"
          value={q}
          placeholder={t('kb.placeholder')}
          onChange={(e) => setQ(e.target.value)}
          autoComplete="off"
          aria-controls={`${id}-results`}
        />
      </form>
      </search>
      <ErrorNote error={results.error} onRetry={results.reload} />
      <div id={`${id}-results`} aria-live="polite" aria-busy={results.loading}>
        {results.data && debounced && results.data.terms.length > 0 ? (
          <p className="muted small">{t('kb.terms', { terms: results.data.terms.join(' · ') })}</p>
        ) : null}
        {results.data?.items.length === 0 ? <p className="note">{t('kb.noResults')}</p> : null}
        <ul className="kb-results">
          {results.data?.items.map((item) => (
            <li key={item.id} data-article={item.id}>
              <Link to={withCase(`/knowledge/${encodeURIComponent(item.id)}`, caseId)} className="kb-title">
                <Marked text={item.title} spans={item.titleHighlights} />
              </Link>
              {item.status === 'draft' ? <span className="tag">{t('kb.draft')}</span> : null}
              {item.productTags.map((tag) => (
                <span key={tag} className="tag">
                  {tag}
                </span>
              ))}
              <p className="snippet">
                <Marked text={item.snippet.text} spans={item.snippet.highlights} />
              </p>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

export function ArticleView({ articleId, caseId }: { articleId: string; caseId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const article = useLoad((signal) => api.get<Article>(`/api/knowledge/articles/${encodeURIComponent(articleId)}`, signal), [articleId]);
  const caseNumber = useCaseNumber(caseId);
  const [note, setNote] = useState('');
  const [linked, setLinked] = useState(false);
  const [error, setError] = useState<unknown>();

  const link = async (e: FormEvent) => {
    e.preventDefault();
    if (!caseId) return;
    setError(undefined);
    try {
      await api.post<CaseArticle>(`/api/instances/${encodeURIComponent(caseId)}/articles`, { articleId, note: note.trim() || null });
      setLinked(true);
    } catch (err) {
      setError(err);
    }
  };

  if (article.error) return <ErrorNote error={article.error} onRetry={article.reload} />;
  const a = article.data;
  if (!a) return <Loading />;
  return (
    <article aria-labelledby={`${id}-title`} className="kb-article" lang={a.language}>
      <p>
        <Link to={withCase('/knowledge', caseId)}>{t('kb.back')}</Link>
      </p>
      <h1 id={`${id}-title`}>{a.title}</h1>
      <p className="tags">
        <span className="muted">{t('kb.tags')}: </span>
        {a.productTags.map((tag) => (
          <span key={tag} className="tag">
            {tag}
          </span>
        ))}
      </p>
      <section className="card">
        <h2>{t('kb.symptom')}</h2>
        <p>{a.symptom}</p>
        <h2>{t('kb.causes')}</h2>
        <ol>
          {a.causes.map((c, i) => (
            <li key={`${i}:${c}`}>{c}</li>
          ))}
        </ol>
        <h2>{t('kb.steps')}</h2>
        <ol>
          {a.steps.map((s, i) => (
            <li key={`${i}:${s}`}>{s}</li>
          ))}
        </ol>
      </section>
      {caseId ? (
        <section className="card" aria-label={t('kb.link')}>
          {linked ? (
            <p className="note note-ok" role="status" data-testid="kb-linked">
              {t('kb.linked')} {caseNumber ? <Link to={`/cases/${encodeURIComponent(caseNumber)}`}>{caseNumber}</Link> : null}
            </p>
          ) : (
            <form onSubmit={link}>
              <p>{t('kb.forCase', { number: caseNumber ?? '…' })}</p>
              <label htmlFor={`${id}-note`}>{t('kb.note')}</label>
              <input id={`${id}-note`} name="note" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
              <button type="submit" className="btn-primary">
                {t('kb.link')}
              </button>
            </form>
          )}
          <ErrorNote error={error} />
        </section>
      ) : null}
    </article>
  );
}
