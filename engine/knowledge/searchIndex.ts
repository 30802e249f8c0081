/**
 * The full-text index of knowledge articles: derived data, written in the same transaction as the
 * article, and rebuilt from the articles when it is missing or was built by another tokenizer
 * version (TERMS_VERSION).
 *
 * Both databases index the same distinct terms from terms.ts (words, CJK characters and bigrams) in
 * three weighted fields — title, product tags, body (symptom + causes + steps):
 * - SQLite: an FTS5 virtual table `knowledge_fts` (contentless, `unicode61` splitting the
 *   pre-computed terms on spaces) with `knowledge_fts_docs` mapping its integer rowids to article
 *   ids; ordered by bm25 with column weights 4/2/1. Both live in the connection's `temp` schema and
 *   are rebuilt at start: MikroORM's SQLite schema introspection fails on FTS5 tables (their
 *   columns have no declared type), so they must not be in `main` unless store/schema.ts tells
 *   MikroORM to skip them (`schemaGenerator.skipTables`); then set FTS_SCHEMA to 'main'. The engine
 *   holds one SQLite connection, so every statement sees this index.
 * - PostgreSQL: table `knowledge_search` with two GIN-indexed tsvectors built with the `simple`
 *   configuration from the same terms: `search_terms` (title A, tags B, body C) and the small
 *   `title_terms` (title A, tags B); ordered by ts_rank with the same 4/2/1 weights. A plain table
 *   MikroORM does not declare; its safe schema update leaves it alone.
 *
 * Candidates come in two tiers, the same on both: articles whose title or tags match, then — while
 * there is room — articles matching in the body only. Title and tag matches weigh most in the
 * ranking (rank.ts), and the small title index keeps common body words from making every query
 * rank thousands of rows.
 */
import type { Db, Tx } from '../store/db.ts';
import { type QueryTerm, TERMS_VERSION, indexTerms } from './terms.ts';

export interface IndexedArticle {
  id: string;
  title: string;
  symptom: string;
  causes: string[];
  steps: string[];
  productTags: string[];
}

const META_KEY = 'knowledge.search.version';
/** Where the SQLite index lives; see the header for why not 'main'. */
const FTS_SCHEMA: 'temp' | 'main' = 'temp';
/** Any constant: serialises index creation when several PostgreSQL nodes start together. */
const PG_LOCK = 7_140_013;

/** Each field's distinct terms: the ranking counts presence, not frequency, and vectors stay small. */
function fields(a: IndexedArticle): [title: string, tags: string, body: string] {
  const distinct = (text: string) => [...new Set(indexTerms(text).split(' '))].join(' ');
  return [distinct(a.title), distinct(a.productTags.join(' ')), distinct([a.symptom, ...a.causes, ...a.steps].join('\n'))];
}

/** Adds or replaces an article's entry; call in the transaction that writes the article. */
export async function indexArticle(tx: Tx, kind: Db['kind'], a: IndexedArticle): Promise<void> {
  const [title, tags, body] = fields(a);
  if (kind === 'postgresql') {
    await tx.run(
      `INSERT INTO knowledge_search (article_id, title_terms, search_terms)
       SELECT ?, t, t || setweight(to_tsvector('simple', ?), 'C')
       FROM (SELECT setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B') AS t) head
       ON CONFLICT (article_id) DO UPDATE SET title_terms = EXCLUDED.title_terms, search_terms = EXCLUDED.search_terms`,
      [a.id, body, title, tags],
    );
    return;
  }
  const existing = await tx.get<{ doc: number }>('SELECT doc FROM knowledge_fts_docs WHERE article_id = ?', [a.id]);
  let doc = existing?.doc;
  if (doc === undefined) {
    doc = (await tx.get<{ doc: number }>('INSERT INTO knowledge_fts_docs (article_id) VALUES (?) RETURNING doc', [a.id]))!.doc;
  } else {
    await tx.run('DELETE FROM knowledge_fts WHERE rowid = ?', [doc]);
  }
  await tx.run('INSERT INTO knowledge_fts (rowid, title, tags, body) VALUES (?, ?, ?, ?)', [doc, title, tags, body]);
}

/** Creates what is missing; answers whether the index had to be created (and so needs filling). */
async function createStructures(tx: Tx, kind: Db['kind']): Promise<boolean> {
  if (kind === 'postgresql') {
    const exists = await tx.get("SELECT 1 AS x FROM pg_class WHERE relname = 'knowledge_search' AND relkind = 'r' AND pg_table_is_visible(oid)");
    await tx.run(
      `CREATE TABLE IF NOT EXISTS knowledge_search (
         article_id varchar(64) PRIMARY KEY REFERENCES knowledge_articles (id) ON DELETE CASCADE,
         title_terms tsvector NOT NULL,
         search_terms tsvector NOT NULL)`,
    );
    await tx.run('CREATE INDEX IF NOT EXISTS knowledge_search_title_gin ON knowledge_search USING gin (title_terms)');
    await tx.run('CREATE INDEX IF NOT EXISTS knowledge_search_terms_gin ON knowledge_search USING gin (search_terms)');
    return !exists;
  }
  const master = FTS_SCHEMA === 'temp' ? 'sqlite_temp_master' : 'sqlite_master';
  const exists = await tx.get(`SELECT 1 AS x FROM ${master} WHERE name = 'knowledge_fts'`);
  await tx.run(`CREATE TABLE IF NOT EXISTS ${FTS_SCHEMA}.knowledge_fts_docs (doc INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE)`);
  // Contentless: the articles table holds the text; the index keeps only terms, positions and sizes.
  await tx.run(
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${FTS_SCHEMA}.knowledge_fts USING fts5(title, tags, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`,
  );
  return !exists;
}

/**
 * Creates the index if missing and fills it when it was just created or built by another
 * tokenizer version. Idempotent and cheap when the index is current; the server calls it once at
 * start, and the knowledge use cases make sure it ran (once per database handle) before they touch
 * the index. Answers how many articles it indexed, null when the index was current.
 */
export async function ensureKnowledgeSearch(db: Db): Promise<{ rebuilt: number | null }> {
  return db.transaction(async (tx) => {
    if (db.kind === 'postgresql') await tx.run('SELECT pg_advisory_xact_lock(?)', [PG_LOCK]);
    const marker = await tx.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [META_KEY]);
    const current = marker?.value === String(TERMS_VERSION);
    // Built by another version: start from scratch, the tables' shape may have changed too.
    if (!current) await dropStructures(tx, db.kind);
    const created = await createStructures(tx, db.kind);
    if (current && !created) return { rebuilt: null };
    const rows = await tx.all<Record<string, unknown>>('SELECT id, title, symptom, causes, steps, product_tags FROM knowledge_articles');
    for (const r of rows) {
      await indexArticle(tx, db.kind, {
        id: r.id as string,
        title: r.title as string,
        symptom: r.symptom as string,
        causes: JSON.parse(r.causes as string),
        steps: JSON.parse(r.steps as string),
        productTags: JSON.parse(r.product_tags as string),
      });
    }
    if (!current) {
      await tx.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [META_KEY, String(TERMS_VERSION)]);
    }
    return { rebuilt: rows.length };
  });
}

async function dropStructures(tx: Tx, kind: Db['kind']): Promise<void> {
  if (kind === 'postgresql') {
    await tx.run('DROP TABLE IF EXISTS knowledge_search');
    return;
  }
  await tx.run(`DROP TABLE IF EXISTS ${FTS_SCHEMA}.knowledge_fts`);
  await tx.run(`DROP TABLE IF EXISTS ${FTS_SCHEMA}.knowledge_fts_docs`);
}

const ready = new WeakMap<Db, Promise<unknown>>();

/** ensureKnowledgeSearch once per database handle (a failed attempt is retried next time). */
export function searchReady(db: Db): Promise<unknown> {
  let p = ready.get(db);
  if (!p) {
    p = ensureKnowledgeSearch(db).catch((err) => {
      ready.delete(db);
      throw err;
    });
    ready.set(db, p);
  }
  return p;
}

export interface CandidateFilter {
  statuses: string[];
  /** A normalised product tag the article must carry. */
  tag?: string;
  language?: string;
}

/** Conditions on `knowledge_articles a` for a filter, with their parameters. */
export function filterSql(f: CandidateFilter): { where: string; params: unknown[] } {
  const where = [`a.status IN (${f.statuses.map(() => '?').join(', ')})`];
  const params: unknown[] = [...f.statuses];
  if (f.tag !== undefined) {
    // Tags are stored as a JSON array of normalised strings; match one whole element.
    where.push("a.product_tags LIKE ? ESCAPE '!'");
    params.push(`%${JSON.stringify(f.tag).replace(/[!%_]/g, (c) => `!${c}`)}%`);
  }
  if (f.language !== undefined) {
    where.push('a.language = ?');
    params.push(f.language);
  }
  return { where: where.join(' AND '), params };
}

type Tier = 'head' | 'body';

/**
 * Articles containing at least one of the terms, at most `cap` of them: those matching in the title
 * or tags first (best first by the database's relevance), then body-only matches while there is
 * room. The caller ranks them (rank.ts).
 *
 * Each tier first ranks and cuts on the index alone, joining only the best rows to the articles,
 * and drops what the reader may not see (drafts). Only when that dropped some of a full page could
 * a better candidate lie beyond it, and only then — or with a tag or language filter — does the
 * slower query that joins every match run.
 */
export async function candidates(tx: Tx, kind: Db['kind'], terms: QueryTerm[], filter: CandidateFilter, cap: number): Promise<Record<string, unknown>[]> {
  // On PostgreSQL `tx` must be a transaction (SET LOCAL); on SQLite reads need none.
  const tier = kind === 'postgresql' ? pgTier : sqliteTier;
  const head = await tier(tx, terms, filter, Math.floor(cap), 'head');
  if (head.length >= cap) return head;
  return [...head, ...(await tier(tx, terms, filter, Math.floor(cap) - head.length, 'body'))];
}

async function pgTier(tx: Tx, terms: QueryTerm[], filter: CandidateFilter, limit: number, tier: Tier): Promise<Record<string, unknown>[]> {
  const query = terms.map((t) => `'${t.text}'${t.prefix ? ':*' : ''}`).join(' | ');
  const match = tier === 'head' ? 's.title_terms @@ q' : 's.search_terms @@ q AND NOT s.title_terms @@ q';
  const rank = `ts_rank('{0.1, 0.25, 0.5, 1.0}', ${tier === 'head' ? 's.title_terms' : 's.search_terms'}, q, 1)`;
  // Short queries like these only lose by waiting for parallel workers.
  await tx.run('SET LOCAL max_parallel_workers_per_gather = 0');
  if (filter.tag === undefined && filter.language === undefined) {
    // The subquery carries only ids: sorting whole rows would spill to disk.
    const rows = await tx.all(
      `SELECT a.* FROM (SELECT s.article_id, ${rank} AS r FROM knowledge_search s, to_tsquery('simple', ?) q WHERE ${match} ORDER BY r DESC, s.article_id LIMIT ${limit}) c
       JOIN knowledge_articles a ON a.id = c.article_id ORDER BY c.r DESC, a.id`,
      [query],
    );
    const visible = rows.filter((r) => filter.statuses.includes(r.status as string));
    if (visible.length === rows.length || rows.length < limit) return visible;
  }
  const f = filterSql(filter);
  return tx.all(
    `SELECT a.* FROM (
       SELECT s.article_id, ${rank} AS r
       FROM knowledge_search s JOIN knowledge_articles a ON a.id = s.article_id, to_tsquery('simple', ?) q
       WHERE ${match} AND ${f.where}
       ORDER BY r DESC, s.article_id LIMIT ${limit}
     ) c JOIN knowledge_articles a ON a.id = c.article_id ORDER BY c.r DESC, a.id`,
    [query, ...f.params],
  );
}

async function sqliteTier(tx: Tx, terms: QueryTerm[], filter: CandidateFilter, limit: number, tier: Tier): Promise<Record<string, unknown>[]> {
  const any = `(${terms.map((t) => `"${t.text}"${t.prefix ? '*' : ''}`).join(' OR ')})`;
  const match = tier === 'head' ? `{title tags} : ${any}` : `${any} NOT {title tags} : ${any}`;
  const rank = 'bm25(knowledge_fts, 4.0, 2.0, 1.0)';
  if (filter.tag === undefined && filter.language === undefined) {
    const rows = await tx.all(
      `SELECT a.* FROM (SELECT rowid AS doc, ${rank} AS r FROM knowledge_fts WHERE knowledge_fts MATCH ? ORDER BY r LIMIT ${limit}) f
       JOIN knowledge_fts_docs d ON d.doc = f.doc JOIN knowledge_articles a ON a.id = d.article_id ORDER BY f.r, a.id`,
      [match],
    );
    const visible = rows.filter((r) => filter.statuses.includes(r.status as string));
    if (visible.length === rows.length || rows.length < limit) return visible;
  }
  const f = filterSql(filter);
  return tx.all(
    `SELECT a.* FROM knowledge_fts f JOIN knowledge_fts_docs d ON d.doc = f.rowid JOIN knowledge_articles a ON a.id = d.article_id
     WHERE knowledge_fts MATCH ? AND ${f.where}
     ORDER BY ${rank}, a.id LIMIT ${limit}`,
    [match, ...f.params],
  );
}
