/**
 * The full-text index of knowledge articles: derived data, written in the same transaction as the
 * article, and rebuilt from the articles when it is missing or was built by another tokenizer
 * version (TERMS_VERSION).
 *
 * Both databases index the same terms from terms.ts (words, CJK characters and bigrams) in three
 * weighted fields — title, product tags, body (symptom + causes + steps):
 * - SQLite: an FTS5 virtual table `knowledge_fts` (contentless, `unicode61` splitting the
 *   pre-computed terms on spaces) with `knowledge_fts_docs` mapping its integer rowids to article
 *   ids; candidates ordered by bm25 with column weights 4/2/1. Both live in the connection's `temp`
 *   schema and are rebuilt at start: MikroORM's SQLite schema introspection fails on FTS5 tables
 *   (their columns have no declared type), so they must not be in `main` unless store/schema.ts
 *   tells MikroORM to skip them (`schemaGenerator.skipTables`); then set FTS_SCHEMA to 'main'.
 *   The engine holds one SQLite connection, so every statement sees this index.
 * - PostgreSQL: `knowledge_search.search_terms`, a tsvector built with the `simple` configuration
 *   from the same terms (setweight A/B/C), GIN-indexed; candidates ordered by ts_rank with the same
 *   4/2/1 weights. A plain table MikroORM does not declare; its safe schema update leaves it alone.
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

function fields(a: IndexedArticle): [title: string, tags: string, body: string] {
  return [indexTerms(a.title), indexTerms(a.productTags.join(' ')), indexTerms([a.symptom, ...a.causes, ...a.steps].join('\n'))];
}

/** Adds or replaces an article's entry; call in the transaction that writes the article. */
export async function indexArticle(tx: Tx, kind: Db['kind'], a: IndexedArticle): Promise<void> {
  const [title, tags, body] = fields(a);
  if (kind === 'postgresql') {
    await tx.run(
      `INSERT INTO knowledge_search (article_id, search_terms)
       VALUES (?, setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'C'))
       ON CONFLICT (article_id) DO UPDATE SET search_terms = EXCLUDED.search_terms`,
      [a.id, title, tags, body],
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
      'CREATE TABLE IF NOT EXISTS knowledge_search (article_id varchar(64) PRIMARY KEY REFERENCES knowledge_articles (id) ON DELETE CASCADE, search_terms tsvector NOT NULL)',
    );
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
    const created = await createStructures(tx, db.kind);
    const marker = await tx.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [META_KEY]);
    if (!created && marker?.value === String(TERMS_VERSION)) return { rebuilt: null };
    if (db.kind === 'postgresql') {
      await tx.run('DELETE FROM knowledge_search');
    } else {
      await tx.run("INSERT INTO knowledge_fts (knowledge_fts) VALUES ('delete-all')");
      await tx.run('DELETE FROM knowledge_fts_docs');
    }
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
    if (marker?.value !== String(TERMS_VERSION)) {
      await tx.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [META_KEY, String(TERMS_VERSION)]);
    }
    return { rebuilt: rows.length };
  });
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

/**
 * Articles containing at least one of the terms, best first by the database's own relevance, at
 * most `cap` of them; the caller ranks them (rank.ts).
 */
export async function candidates(tx: Tx, kind: Db['kind'], terms: QueryTerm[], filter: CandidateFilter, cap: number): Promise<Record<string, unknown>[]> {
  const f = filterSql(filter);
  if (kind === 'postgresql') {
    const query = terms.map((t) => `'${t.text}'${t.prefix ? ':*' : ''}`).join(' | ');
    return tx.all(
      `SELECT a.* FROM knowledge_search s JOIN knowledge_articles a ON a.id = s.article_id
       WHERE s.search_terms @@ to_tsquery('simple', ?) AND ${f.where}
       ORDER BY ts_rank('{0.1, 0.25, 0.5, 1.0}', s.search_terms, to_tsquery('simple', ?), 1) DESC, a.id LIMIT ${Math.floor(cap)}`,
      [query, ...f.params, query],
    );
  }
  const match = terms.map((t) => `"${t.text}"${t.prefix ? '*' : ''}`).join(' OR ');
  const limit = Math.floor(cap);
  if (filter.tag === undefined && filter.language === undefined) {
    // Fast path: rank inside FTS5 alone, join only the best `cap`, then drop what the reader may not
    // see. Only when that dropped some of a full page can a better candidate lie beyond it.
    const rows = await tx.all(
      `SELECT a.* FROM (SELECT rowid AS doc, bm25(knowledge_fts, 4.0, 2.0, 1.0) AS r FROM knowledge_fts WHERE knowledge_fts MATCH ? ORDER BY r LIMIT ${limit}) f
       JOIN knowledge_fts_docs d ON d.doc = f.doc JOIN knowledge_articles a ON a.id = d.article_id ORDER BY f.r, a.id`,
      [match],
    );
    const visible = rows.filter((r) => filter.statuses.includes(r.status as string));
    if (visible.length === rows.length || rows.length < limit) return visible;
  }
  return tx.all(
    `SELECT a.* FROM knowledge_fts f JOIN knowledge_fts_docs d ON d.doc = f.rowid JOIN knowledge_articles a ON a.id = d.article_id
     WHERE knowledge_fts MATCH ? AND ${f.where}
     ORDER BY bm25(knowledge_fts, 4.0, 2.0, 1.0), a.id LIMIT ${limit}`,
    [match, ...f.params],
  );
}
