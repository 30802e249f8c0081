/**
 * The one tokenizer behind knowledge search, used for indexing, querying, ranking and highlighting
 * alike, so SQLite and PostgreSQL index exactly the same terms and the ranking can be computed the
 * same way on both.
 *
 * Chinese and Japanese have no spaces, and a query rarely repeats the article's wording:
 * "空调不制冷" shares only the 2-character words 空调 and 制冷 with "空调制冷效果差". A trigram
 * index needs 3-character runs, so CJK text is indexed as overlapping character bigrams (plus single
 * characters, for one-character queries) and a CJK query becomes its bigrams, OR-ed. Every other
 * script is split into words (letters and digits), case- and accent-folded, and a query word matches
 * as a prefix ("cool" finds "cooling").
 */

export type RunKind = 'cjk' | 'word';

/** A maximal stretch of CJK characters, or one word, in normalised text. */
export interface Run {
  kind: RunKind;
  text: string;
  /** Offsets into the normalised text. */
  start: number;
  end: number;
}

/**
 * Text folded for matching. `origStart`/`origEnd` give each folded UTF-16 unit's span in the
 * original text; null when folding kept every unit in place (the usual case), so offsets are equal.
 */
export interface Folded {
  text: string;
  origStart: number[] | null;
  origEnd: number[] | null;
}

export interface QueryTerm {
  text: string;
  kind: RunKind;
  /** Words match as prefixes of indexed words; CJK grams match exactly. */
  prefix: boolean;
}

/** Bump when indexing changes: ensureKnowledgeSearch then rebuilds the index. */
export const TERMS_VERSION = 2;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3005\u3006\u30fc]/u;
const TOKEN_CHAR = /[\p{L}\p{N}\p{M}]/u;
const MARK = /\p{M}/gu;
const MAX_QUERY_TERMS = 32;

/** Words that say nothing on their own in an English query; dropped unless nothing else is left. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'do', 'does', 'for', 'how', 'i', 'in', 'is', 'it', 'my', 'of', 'on', 'or', 'the', 'to', 'what', 'with']);

// Search folds every candidate's text per query, so both steps below work on character codes with
// per-code-point caches instead of running Unicode regular expressions on each character.
const foldCache = new Map<number, string>();

/** NFKC (full-width → half-width, ①→1), lower case, accents removed outside CJK. */
function foldCodePoint(cp: number): string {
  let out = foldCache.get(cp);
  if (out === undefined) {
    out = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
    if (!CJK.test(out)) out = out.normalize('NFD').replace(MARK, '').normalize('NFC');
    if (foldCache.size < 100_000) foldCache.set(cp, out);
  }
  return out;
}

export function fold(text: string): Folded {
  const parts: string[] = [];
  let origStart: number[] | null = null;
  let origEnd: number[] | null = null;
  let outLength = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const f = cp < 0x80 ? (cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : text[i]) : foldCodePoint(cp);
    if (!origStart && f.length !== width) {
      // The first unit that moves: from here on, record where each folded unit came from.
      origStart = Array.from({ length: outLength }, (_, k) => k);
      origEnd = Array.from({ length: outLength }, (_, k) => k + 1);
    }
    if (origStart && origEnd) {
      for (let k = 0; k < f.length; k++) {
        origStart.push(i);
        origEnd.push(i + width);
      }
    }
    parts.push(f);
    outLength += f.length;
    i += width;
  }
  return { text: parts.join(''), origStart, origEnd };
}

const SEPARATOR = 0;
const WORD = 1;
const CJK_CHAR = 2;
const MARK_CHAR = 3;
const classCache = new Map<number, number>();

function classOf(cp: number): number {
  if (cp < 0x80) return (cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) ? WORD : SEPARATOR;
  let c = classCache.get(cp);
  if (c === undefined) {
    const ch = String.fromCodePoint(cp);
    c = CJK.test(ch) ? CJK_CHAR : /\p{M}/u.test(ch) ? MARK_CHAR : TOKEN_CHAR.test(ch) ? WORD : SEPARATOR;
    if (classCache.size < 100_000) classCache.set(cp, c);
  }
  return c;
}

/** Splits folded text into CJK runs and words; everything else separates. */
export function runs(folded: string): Run[] {
  const out: Run[] = [];
  let kind = SEPARATOR;
  let start = 0;
  const close = (end: number) => {
    if (kind !== SEPARATOR) out.push({ kind: kind === CJK_CHAR ? 'cjk' : 'word', text: folded.slice(start, end), start, end });
  };
  for (let i = 0; i < folded.length; ) {
    const cp = folded.codePointAt(i)!;
    let c = classOf(cp);
    // A combining mark continues whatever it follows.
    if (c === MARK_CHAR) c = kind === SEPARATOR ? WORD : kind;
    if (c !== kind) {
      close(i);
      kind = c;
      start = i;
    }
    i += cp > 0xffff ? 2 : 1;
  }
  close(folded.length);
  return out;
}

/** The characters of a CJK run (code points, so rare characters outside the BMP stay whole). */
const chars = (s: string) => Array.from(s);

/** The terms a text is indexed under, space-separated: words, CJK single characters and bigrams. */
export function indexTerms(text: string): string {
  const terms: string[] = [];
  for (const run of runs(fold(text).text)) {
    if (run.kind === 'word') {
      terms.push(run.text);
      continue;
    }
    const cs = chars(run.text);
    for (let i = 0; i < cs.length; i++) {
      terms.push(cs[i]);
      if (i + 1 < cs.length) terms.push(cs[i] + cs[i + 1]);
    }
  }
  return terms.join(' ');
}

/** A query string as the distinct terms to look for, OR-ed: words (prefixes) and CJK bigrams. */
export function queryTerms(query: string): QueryTerm[] {
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  const add = (text: string, kind: RunKind, prefix: boolean) => {
    if (seen.has(text) || terms.length >= MAX_QUERY_TERMS) return;
    seen.add(text);
    terms.push({ text, kind, prefix });
  };
  for (const run of runs(fold(query).text)) {
    if (run.kind === 'word') {
      // One letter as a prefix would match nearly everything.
      add(run.text, 'word', run.text.length > 1);
      continue;
    }
    const cs = chars(run.text);
    if (cs.length === 1) add(cs[0], 'cjk', false);
    for (let i = 0; i + 1 < cs.length; i++) add(cs[i] + cs[i + 1], 'cjk', false);
  }
  const meaningful = terms.filter((t) => !(t.kind === 'word' && STOP_WORDS.has(t.text)));
  return meaningful.length > 0 ? meaningful : terms;
}

/** Normalises a product tag the way it is stored and filtered: trimmed, NFKC, lower case. */
export function normaliseTag(tag: string): string {
  return tag.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}
