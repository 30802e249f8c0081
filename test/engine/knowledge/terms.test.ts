/**
 * The tokenizer and ranker behind knowledge search (R13), without a database: Chinese is matched
 * on overlapping character pairs, other text on words by prefix, and whatever the ranker finds in
 * an article the index has a term for — so the database never drops a candidate the ranker wants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rank } from '../../../engine/knowledge/rank.ts';
import { indexTerms, queryTerms } from '../../../engine/knowledge/terms.ts';

const article = (title: string, body = '') => ({ id: 'a', title, symptom: body, causes: [], steps: [], productTags: [] });

describe('knowledge search terms', () => {
  it('R13: a Chinese query becomes its overlapping character pairs', () => {
    expect(queryTerms('空调不制冷').map((t) => t.text)).toEqual(['空调', '调不', '不制', '制冷']);
    expect(queryTerms('灯').map((t) => t.text)).toEqual(['灯']);
  });

  it('R13: Chinese text is indexed under single characters and pairs, words as they are', () => {
    expect(indexTerms('空调E1故障')).toBe('空 空调 调 e1 故 故障 障');
  });

  it('R13: English is case-, width- and accent-insensitive, words match as prefixes, filler words are dropped', () => {
    expect(queryTerms('How does the AC NOT cool?').map((t) => [t.text, t.prefix])).toEqual([
      ['ac', true],
      ['not', true],
      ['cool', true],
    ]);
    expect(queryTerms('ＮＯＴ ｃｏｏｌｉｎｇ').map((t) => t.text)).toEqual(['not', 'cooling']);
    expect(indexTerms('Café')).toBe('cafe');
    expect(queryTerms('the').map((t) => t.text)).toEqual(['the']);
  });

  it('R13: "空调不制冷" matches the title "空调制冷效果差" on 空调 and 制冷, highlighted as one stretch', () => {
    const r = rank(article('空调制冷效果差'), queryTerms('空调不制冷'));
    expect(r.matched).toBe(2);
    expect(r.score).toBe(8);
    expect(r.titleHighlights).toEqual([{ start: 0, end: 4 }]);
  });

  it('R13: highlights point into the original text even when folding changes its length', () => {
    const title = 'ﬁx the Café cooling';
    const r = rank(article(title), queryTerms('cafe cool fix'));
    expect(r.titleHighlights.map((h) => title.slice(h.start, h.end))).toEqual(['ﬁx', 'Café', 'cool']);
  });

  it('R13: a long body is cut around the first match', () => {
    const body = `${'无关内容。'.repeat(60)}排水管堵塞导致漏水。${'其他说明。'.repeat(60)}`;
    const { snippet } = rank(article('标题', body), queryTerms('漏水'));
    expect(snippet.text.startsWith('…')).toBe(true);
    expect(snippet.text.endsWith('…')).toBe(true);
    expect(snippet.text.length).toBeLessThanOrEqual(122);
    const [h] = snippet.highlights;
    expect(snippet.text.slice(h.start, h.end)).toBe('漏水');
  });

  it('R13: every term the ranker finds in a text is a term the index holds (property)', () => {
    const alphabet = fc.constantFrom(...'空调制冷效果差不漏水ab cE1é，。-ＡＢ'.split(''));
    const text = fc.array(alphabet, { maxLength: 30 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, text, (doc, query) => {
        const indexed = indexTerms(doc).split(' ');
        for (const term of queryTerms(query)) {
          const found = rank(article(doc), [term]).matched > 0;
          const inIndex = indexed.some((t) => t === term.text || (term.prefix && t.startsWith(term.text)));
          expect(found, `${JSON.stringify(term)} in ${JSON.stringify(doc)}`).toBe(inIndex);
        }
      }),
      { numRuns: 500 },
    );
  });
});
