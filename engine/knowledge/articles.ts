/**
 * Knowledge articles (R13): supervisors and admins write and publish them, everyone searches the
 * published ones. Each write is one transaction that also updates the full-text index and the
 * audit trail (R40); edits carry the rev they were based on, and a stale one is refused (409).
 */
import type { Article, ArticleInput, ArticleUpdate, SearchQuery, SearchResult } from '../../schemas/knowledge.ts';
import { type LoopdeskError, conflict, forbidden, notFound, unprocessable } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { compareRanked, rank } from './rank.ts';
import { type CandidateFilter, candidates, filterSql, indexArticle, searchReady } from './searchIndex.ts';
import { normaliseTag, queryTerms } from './terms.ts';

export type ArticleStatus = Article['status'];

/** The fields an author writes; what "changed" compares. */
interface Content {
  title: string;
  symptom: string;
  causes: string[];
  steps: string[];
  productTags: string[];
  language: Article['language'];
  sourceCaseId: string | null;
}

export interface WriteOptions {
  requestId?: string;
  /** Loader bookkeeping: the checksum of the shipped file written. */
  shippedChecksum?: string;
}

const ENTITY = 'knowledge_article';

export function toArticle(r: Record<string, unknown>): Article & { shippedChecksum: string | null } {
  return {
    id: r.id as string,
    key: (r.key as string | null) ?? null,
    title: r.title as string,
    symptom: r.symptom as string,
    causes: JSON.parse(r.causes as string),
    steps: JSON.parse(r.steps as string),
    productTags: JSON.parse(r.product_tags as string),
    language: r.language as Article['language'],
    status: r.status as ArticleStatus,
    rev: r.rev as number,
    sourceCaseId: (r.source_case_id as string | null) ?? null,
    createdAt: r.created_at as number,
    createdBy: r.created_by as string,
    updatedAt: r.updated_at as number,
    updatedBy: r.updated_by as string,
    publishedAt: (r.published_at as number | null) ?? null,
    shippedChecksum: (r.shipped_checksum as string | null) ?? null,
  };
}

/** The public view: loader bookkeeping stays inside. */
function view(a: Article & { shippedChecksum?: string | null }): Article {
  const { shippedChecksum: _, ...article } = a;
  return article;
}

function content(input: ArticleInput | ArticleUpdate): Content {
  const tags: string[] = [];
  for (const t of input.productTags) {
    const n = normaliseTag(t);
    if (n && !tags.includes(n)) tags.push(n);
  }
  return {
    title: input.title.trim(),
    symptom: input.symptom.trim(),
    causes: input.causes.map((c) => c.trim()),
    steps: input.steps.map((s) => s.trim()),
    productTags: tags,
    language: input.language,
    sourceCaseId: input.sourceCaseId ?? null,
  };
}

const contentOf = (a: Article): Content => ({
  title: a.title,
  symptom: a.symptom,
  causes: a.causes,
  steps: a.steps,
  productTags: a.productTags,
  language: a.language,
  sourceCaseId: a.sourceCaseId ?? null,
});

const sameContent = (x: Content, y: Content) => JSON.stringify(x) === JSON.stringify(y);

function requireAuthor(actor: Principal): void {
  if (!isSupervisor(actor)) throw forbidden('only supervisors and admins write knowledge articles');
}

async function checkSourceCase(tx: Tx, sourceCaseId: string | null): Promise<void> {
  if (sourceCaseId === null) return;
  if (!(await tx.get('SELECT id FROM instances WHERE id = ?', [sourceCaseId]))) {
    throw unprocessable('LD_KNOWLEDGE_SOURCE_CASE', `case ${sourceCaseId} does not exist`, [
      { path: '/sourceCaseId', message: `case ${sourceCaseId} does not exist`, code: 'LD_KNOWLEDGE_SOURCE_CASE' },
    ]);
  }
}

export async function loadArticle(tx: Tx, id: string) {
  const r = await tx.get<Record<string, unknown>>('SELECT * FROM knowledge_articles WHERE id = ?', [id]);
  return r ? toArticle(r) : undefined;
}

export async function findArticleByKey(tx: Tx, key: string) {
  const r = await tx.get<Record<string, unknown>>('SELECT * FROM knowledge_articles WHERE key = ?', [key]);
  return r ? toArticle(r) : undefined;
}

/** Drafts are for their authors: supervisors and admins. */
export const mayRead = (a: Article, who: Principal) => a.status === 'published' || isSupervisor(who);

export async function createArticle(
  ctx: EngineContext,
  input: ArticleInput,
  actor: Principal,
  options: WriteOptions & { status?: ArticleStatus } = {},
): Promise<Article> {
  requireAuthor(actor);
  await searchReady(ctx.db);
  const c = content(input);
  const status = options.status ?? 'draft';
  return command(ctx, async (tx, now) => {
    if (input.key !== undefined && (await findArticleByKey(tx, input.key))) {
      throw conflict('LD_KNOWLEDGE_KEY_EXISTS', `an article with key ${input.key} already exists`);
    }
    await checkSourceCase(tx, c.sourceCaseId);
    const article: Article = {
      id: newId(),
      key: input.key ?? null,
      ...c,
      status,
      rev: 1,
      createdAt: now,
      createdBy: actor.username,
      updatedAt: now,
      updatedBy: actor.username,
      publishedAt: status === 'published' ? now : null,
    };
    await tx.run(
      `INSERT INTO knowledge_articles (id, key, title, symptom, causes, steps, product_tags, language, status, rev, source_case_id, shipped_checksum,
         created_at, created_by, updated_at, updated_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        article.id,
        article.key,
        c.title,
        c.symptom,
        JSON.stringify(c.causes),
        JSON.stringify(c.steps),
        JSON.stringify(c.productTags),
        c.language,
        status,
        1,
        c.sourceCaseId,
        options.shippedChecksum ?? null,
        now,
        actor.username,
        now,
        actor.username,
        article.publishedAt,
      ],
    );
    await indexArticle(tx, ctx.db.kind, { id: article.id, ...c });
    await audit(tx, now, { actor: actor.username, action: 'knowledge.article.create', entityType: ENTITY, entityId: article.id, after: article, requestId: options.requestId });
    return article;
  });
}

function stale(a: Article, rev: number): LoopdeskError {
  return conflict('LD_KNOWLEDGE_STALE', `article ${a.id} is at rev ${a.rev}, the edit was based on rev ${rev}: reload it and apply the change again`);
}

/**
 * Replaces an article's content. Answers `changed: false` (and writes nothing) when the content is
 * what it already is.
 */
export async function updateArticle(
  ctx: EngineContext,
  id: string,
  input: ArticleUpdate,
  actor: Principal,
  options: WriteOptions = {},
): Promise<{ changed: boolean; article: Article }> {
  requireAuthor(actor);
  await searchReady(ctx.db);
  const c = content(input);
  return command(ctx, async (tx, now) => {
    const before = await loadArticle(tx, id);
    if (!before) throw notFound('knowledge article', id);
    if (before.rev !== input.rev) throw stale(before, input.rev);
    const checksum = options.shippedChecksum ?? before.shippedChecksum;
    if (sameContent(contentOf(before), c) && checksum === before.shippedChecksum) return { changed: false, article: view(before) };
    await checkSourceCase(tx, c.sourceCaseId);
    const changed = await tx.run(
      `UPDATE knowledge_articles SET title = ?, symptom = ?, causes = ?, steps = ?, product_tags = ?, language = ?, source_case_id = ?, shipped_checksum = ?,
         rev = rev + 1, updated_at = ?, updated_by = ? WHERE id = ? AND rev = ?`,
      [c.title, c.symptom, JSON.stringify(c.causes), JSON.stringify(c.steps), JSON.stringify(c.productTags), c.language, c.sourceCaseId, checksum, now, actor.username, id, input.rev],
    );
    // PostgreSQL: another edit committed between our read and this write.
    if (changed === 0) throw stale(before, input.rev);
    const article: Article = { ...view(before), ...c, rev: before.rev + 1, updatedAt: now, updatedBy: actor.username };
    await indexArticle(tx, ctx.db.kind, { id, ...c });
    await audit(tx, now, {
      actor: actor.username,
      action: 'knowledge.article.update',
      entityType: ENTITY,
      entityId: id,
      before: view(before),
      after: article,
      requestId: options.requestId,
    });
    return { changed: true, article };
  });
}

/** Makes a draft visible to everyone; publishing a published article changes nothing. */
export async function publishArticle(ctx: EngineContext, id: string, actor: Principal, options: { rev?: number; requestId?: string } = {}): Promise<Article> {
  requireAuthor(actor);
  return command(ctx, async (tx, now) => {
    const before = await loadArticle(tx, id);
    if (!before) throw notFound('knowledge article', id);
    if (options.rev !== undefined && before.rev !== options.rev) throw stale(before, options.rev);
    if (before.status === 'published') return view(before);
    const changed = await tx.run(
      "UPDATE knowledge_articles SET status = 'published', published_at = ?, rev = rev + 1, updated_at = ?, updated_by = ? WHERE id = ? AND rev = ?",
      [now, now, actor.username, id, before.rev],
    );
    if (changed === 0) throw stale(before, before.rev);
    const article: Article = { ...view(before), status: 'published', publishedAt: now, rev: before.rev + 1, updatedAt: now, updatedBy: actor.username };
    await audit(tx, now, {
      actor: actor.username,
      action: 'knowledge.article.publish',
      entityType: ENTITY,
      entityId: id,
      before: { status: before.status, rev: before.rev },
      after: { status: 'published', rev: article.rev },
      requestId: options.requestId,
    });
    return article;
  });
}

/** An article as `who` may see it; a draft is "not found" for agents. */
export async function getArticle(ctx: EngineContext, id: string, who: Principal): Promise<Article> {
  const a = await loadArticle(ctx.db, id);
  if (!a || !mayRead(a, who)) throw notFound('knowledge article', id);
  return view(a);
}

/** How many candidates the index hands over for ranking: plenty for the best `limit`. */
const candidateCap = (limit: number) => Math.max(100, limit * 10);

/**
 * Ranked search over the articles `who` may read. Without search terms: the newest articles
 * (filtered by tag and language).
 */
export async function searchArticles(ctx: EngineContext, query: SearchQuery, who: Principal): Promise<SearchResult> {
  await searchReady(ctx.db);
  const limit = query.limit ?? 10;
  const filter: CandidateFilter = {
    statuses: isSupervisor(who) ? ['draft', 'published'] : ['published'],
    tag: query.tag === undefined || query.tag.trim() === '' ? undefined : normaliseTag(query.tag),
    language: query.language,
  };
  const terms = queryTerms(query.q ?? '');
  let rows: Record<string, unknown>[];
  if (terms.length > 0) {
    const find = (tx: Tx) => candidates(tx, ctx.db.kind, terms, filter, candidateCap(limit));
    // SQLite transactions take the write lock; its reads need none.
    rows = ctx.db.kind === 'postgresql' ? await ctx.db.transaction(find) : await find(ctx.db);
  } else if ((query.q ?? '').trim() !== '') {
    rows = []; // only punctuation: nothing to look for
  } else {
    const f = filterSql(filter);
    rows = await ctx.db.all(`SELECT a.* FROM knowledge_articles a WHERE ${f.where} ORDER BY a.updated_at DESC, a.id LIMIT ${Math.floor(limit)}`, f.params);
  }
  const ranked = rows
    .map(toArticle)
    .map((a) => ({ ...a, ranked: rank(a, terms) }))
    .filter((a) => terms.length === 0 || a.ranked.score > 0);
  if (terms.length > 0) ranked.sort(compareRanked);
  return {
    terms: terms.map((t) => t.text),
    items: ranked.slice(0, limit).map((a) => ({
      id: a.id,
      key: a.key,
      title: a.title,
      language: a.language,
      status: a.status,
      productTags: a.productTags,
      rev: a.rev,
      updatedAt: a.updatedAt,
      score: a.ranked.score,
      matched: a.ranked.matched,
      titleHighlights: a.ranked.titleHighlights,
      snippet: a.ranked.snippet,
    })),
  };
}
