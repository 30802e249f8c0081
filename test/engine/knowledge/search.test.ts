/**
 * Knowledge search over HTTP on the shipped starter articles (R13), loaded at start like every
 * shipped definition, on SQLite (FTS5) and PostgreSQL (tsvector): the same queries give the same
 * ranked titles on both.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadShippedArticles } from '../../../engine/knowledge/shipped.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const SHIPPED = new URL('../../../definitions/knowledge/', import.meta.url).pathname;
const shippedFiles = readdirSync(SHIPPED).filter((f) => f.endsWith('.json'));

describe.each(await backends())('knowledge search on %s', (backend) => {
  let s: TestServer;
  let agent: string;

  beforeAll(async () => {
    // Only the knowledge articles of definitions/, so this suite depends on nothing else shipped.
    const root = mkdtempSync(join(tmpdir(), 'loopdesk-defs-'));
    cpSync(SHIPPED, join(root, 'knowledge'), { recursive: true });
    s = await startTestServer(backend, { definitionsDir: root });
    agent = await s.user('agent-wu');
  });
  afterAll(async () => s?.close());

  const search = async (params: Record<string, string | number>, token = agent) => {
    const r = await s.api('GET', `/api/knowledge/search?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`, { token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { terms: string[]; items: { title: string; score: number; matched: number; titleHighlights: { start: number; end: number }[]; snippet: { field: string; text: string; highlights: { start: number; end: number }[] } }[] };
  };
  const titles = async (q: string, extra: Record<string, string | number> = {}) => (await search({ q, ...extra })).items.map((i) => i.title);

  it('R13: "空调不制冷" finds the article titled "空调制冷效果差" first, with 空调制冷 highlighted', async () => {
    const result = await search({ q: '空调不制冷', limit: 3 });
    expect(result.terms).toEqual(['空调', '调不', '不制', '制冷']);
    const [first] = result.items;
    expect(first.title).toBe('空调制冷效果差');
    expect(first.titleHighlights.map((h) => first.title.slice(h.start, h.end))).toEqual(['空调制冷']);
    expect(first.snippet.field).toBe('symptom');
    expect(first.snippet.highlights.map((h) => first.snippet.text.slice(h.start, h.end))).toContain('空调不制冷');
    // The same order on both databases: the ranking is computed in the engine.
    expect(result.items.map((i) => i.title)).toEqual(['空调制冷效果差', '冰箱不制冷', '空调室内机漏水']);
  });

  it.each([
    ['制冷效果不好', '空调制冷效果差'],
    ['冰箱不冷', '冰箱不制冷'],
    ['洗衣机不排水', '洗衣机不排水'],
    ['空调漏水', '空调室内机漏水'],
    ['遥控器没反应', '空调遥控器失灵'],
    ['热水器没有热水', '电热水器不出热水'],
    ['电视黑屏', '电视有声音无图像'],
    ['洗衣机门打不开', '洗衣机门锁打不开'],
    ['保修期', '保修政策与保修期判定'],
    ['E4', '空调显示故障代码 E1、E4'],
  ])('R13: the Chinese query "%s" finds "%s" first', async (q, title) => {
    expect((await titles(q))[0]).toBe(title);
  });

  it('R13: English words match case-insensitively and as prefixes: "not cooling", "NOT COOLING", "cool"', async () => {
    for (const q of ['not cooling', 'NOT COOLING', 'cool', 'air conditioner cooling']) {
      expect((await titles(q))[0], q).toBe('Air conditioner not cooling well');
    }
    expect((await titles('washing drain'))[0]).toBe('Washing machine not draining');
    expect((await titles('warranty invoice'))[0]).toBe('Warranty policy and proof of purchase');
  });

  it('R13: the tag filter keeps only articles with that product tag, in any letter case', async () => {
    expect(await titles('漏水', { tag: '洗衣机' })).toEqual([]);
    const washer = await titles('排水', { tag: '洗衣机' });
    expect(washer[0]).toBe('洗衣机不排水');
    expect(washer.every((t) => t.startsWith('洗衣机'))).toBe(true);
    const ac = await titles('', { tag: '空调', limit: 50 });
    expect(ac).toHaveLength(7);
    expect(ac.every((t) => t.startsWith('空调'))).toBe(true);
    expect(await titles('cooling', { tag: 'Air-Conditioner' })).toEqual(['Air conditioner not cooling well']);
  });

  it('R13: the language filter, the limit, and a query of punctuation only', async () => {
    expect(await titles('cooling 制冷', { language: 'en' })).toEqual(['Air conditioner not cooling well']);
    expect(await titles('空调', { limit: 2 })).toHaveLength(2);
    expect(await search({ q: '？！……' })).toEqual({ terms: [], items: [] });
  });

  it('R13: every shipped article is loaded at start and found by a word from its title; loading again changes nothing', async () => {
    expect((await search({ q: '', limit: 50 })).items).toHaveLength(shippedFiles.length);
    for (const file of shippedFiles) {
      const { title, language } = JSON.parse(readFileSync(SHIPPED + file, 'utf8')) as { title: string; language: string };
      // A Chinese title's first two characters, or an English title's longest word.
      const word = language === 'en' ? title.split(' ').sort((a, b) => b.length - a.length)[0] : title.slice(0, 2);
      expect(await titles(word, { limit: 50 }), `${file}: ${word}`).toContain(title);
    }
    const again = await loadShippedArticles(s.server.ctx, SHIPPED);
    expect(again.map((r) => r.outcome)).toEqual(shippedFiles.map(() => 'unchanged'));
  });

  it('R13: searching needs a login', async () => {
    expect((await s.api('GET', '/api/knowledge/search?q=空调')).status).toBe(401);
  });
});
