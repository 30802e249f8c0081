/**
 * Ranking and highlighting, computed in the engine from the candidates the database's full-text
 * index returns, so SQLite (FTS5 bm25) and PostgreSQL (ts_rank) give the same order: the database
 * only picks the candidates.
 *
 * Score: for each query term, 4 if it is in the title, + 2 if in a product tag, + 1 if in the body
 * (symptom, causes, steps); a word that only matches as a prefix counts 0.8 of that. So articles
 * matching more terms come first, and a title match outweighs a body match. Ties: more distinct
 * terms matched, then the shorter (more focused) title, then the id.
 */
import { type Folded, type QueryTerm, type Run, fold, runs } from './terms.ts';

export interface Span {
  start: number;
  end: number;
}

export type SnippetField = 'title' | 'symptom' | 'causes' | 'steps';

export interface Snippet {
  field: SnippetField;
  /** Position in the causes or steps list. */
  index?: number;
  text: string;
  /** UTF-16 offsets into `text` of the matched stretches. */
  highlights: Span[];
}

export interface Rankable {
  id: string;
  title: string;
  symptom: string;
  causes: string[];
  steps: string[];
  productTags: string[];
}

export interface Ranked {
  score: number;
  /** How many distinct query terms the article contains. */
  matched: number;
  titleHighlights: Span[];
  snippet: Snippet;
}

const WEIGHT = { title: 4, tags: 2, body: 1 } as const;
const PREFIX_ONLY = 0.8;
const SNIPPET_CHARS = 120;
const SNIPPET_LEAD = 20;

interface Analysed {
  text: string;
  folded: Folded;
  runs: Run[];
}

function analyse(text: string): Analysed {
  const folded = fold(text);
  return { text, folded, runs: runs(folded.text) };
}

/** 2 = exact match somewhere, 1 = only as a prefix, 0 = absent; with the matched stretches. */
function find(a: Analysed, term: QueryTerm, spans?: Span[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  for (const run of a.runs) {
    if (run.kind !== term.kind) continue;
    if (term.kind === 'word') {
      const exact = run.text === term.text;
      if (!exact && !(term.prefix && run.text.startsWith(term.text))) continue;
      best = exact ? 2 : best === 2 ? 2 : 1;
      spans?.push(original(a.folded, run.start, run.start + term.text.length));
    } else {
      for (let at = run.text.indexOf(term.text); at >= 0; at = run.text.indexOf(term.text, at + 1)) {
        best = 2;
        spans?.push(original(a.folded, run.start + at, run.start + at + term.text.length));
      }
    }
  }
  return best;
}

function original(f: Folded, start: number, end: number): Span {
  return f.origStart && f.origEnd ? { start: f.origStart[start], end: f.origEnd[end - 1] } : { start, end };
}

/** Sorted, overlapping and touching stretches merged: 空调 + 制冷 in 空调制冷 is one highlight. */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((x, y) => x.start - y.start || x.end - y.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

export function rank(article: Rankable, terms: QueryTerm[]): Ranked {
  const title = analyse(article.title);
  const tags = article.productTags.map(analyse);
  const body: { field: SnippetField; index?: number; a: Analysed }[] = [
    { field: 'symptom', a: analyse(article.symptom) },
    ...article.causes.map((c, index) => ({ field: 'causes' as const, index, a: analyse(c) })),
    ...article.steps.map((s, index) => ({ field: 'steps' as const, index, a: analyse(s) })),
  ];

  let score = 0;
  let matched = 0;
  const titleSpans: Span[] = [];
  const partTerms = body.map(() => new Set<string>());
  const partSpans: Span[][] = body.map(() => []);
  for (const term of terms) {
    const inTitle = find(title, term, titleSpans);
    const inTags = Math.max(0, ...tags.map((t) => find(t, term)));
    let inBody = 0;
    body.forEach((part, i) => {
      const hit = find(part.a, term, partSpans[i]);
      if (hit) partTerms[i].add(term.text);
      inBody = Math.max(inBody, hit);
    });
    const factor = (hit: number) => (hit === 2 ? 1 : hit === 1 ? PREFIX_ONLY : 0);
    const termScore = WEIGHT.title * factor(inTitle) + WEIGHT.tags * factor(inTags) + WEIGHT.body * factor(inBody);
    if (termScore > 0) matched++;
    score += termScore;
  }

  // The body part with the most distinct terms, the earliest on a tie; else the symptom's start.
  let best = 0;
  for (let i = 1; i < body.length; i++) if (partTerms[i].size > partTerms[best].size) best = i;
  const part = body[best];
  return {
    score: Math.round(score * 100) / 100,
    matched,
    titleHighlights: merge(titleSpans),
    snippet: window({ field: part.field, index: part.index, text: part.a.text, highlights: merge(partSpans[best]) }),
  };
}

/** Cuts a long text to SNIPPET_CHARS around its first highlight, marking cuts with "…". */
function window(s: Snippet): Snippet {
  if (s.text.length <= SNIPPET_CHARS) return s;
  const first = s.highlights[0]?.start ?? 0;
  let from = Math.max(0, Math.min(first - SNIPPET_LEAD, s.text.length - SNIPPET_CHARS));
  // Never split a surrogate pair.
  if (from > 0 && /[\udc00-\udfff]/.test(s.text[from])) from--;
  let to = Math.min(s.text.length, from + SNIPPET_CHARS);
  if (to < s.text.length && /[\udc00-\udfff]/.test(s.text[to])) to++;
  const lead = from > 0 ? '…' : '';
  const text = lead + s.text.slice(from, to) + (to < s.text.length ? '…' : '');
  const highlights = s.highlights
    .filter((h) => h.end > from && h.start < to)
    .map((h) => ({ start: Math.max(h.start, from) - from + lead.length, end: Math.min(h.end, to) - from + lead.length }));
  return { ...s, text, highlights };
}

/** Best first: score, then distinct terms matched, then the shorter title, then the id. */
export function compareRanked(a: { ranked: Ranked; title: string; id: string }, b: { ranked: Ranked; title: string; id: string }): number {
  return (
    b.ranked.score - a.ranked.score ||
    b.ranked.matched - a.ranked.matched ||
    a.title.length - b.title.length ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
