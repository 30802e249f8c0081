/**
 * Loading shipped knowledge articles (R13) is idempotent by key: a changed file updates its
 * article, an unchanged one is left alone, and an article a supervisor has edited since keeps the
 * edit. A broken file stops the load with its name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadShippedArticles } from '../../../engine/knowledge/shipped.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const shipped = {
  key: 'range-hood-noise',
  language: 'zh-CN',
  title: '油烟机噪音大',
  symptom: '油烟机运行时噪音明显。',
  causes: ['风轮积油不平衡'],
  steps: ['清洗风轮'],
  productTags: ['油烟机'],
};

describe.each(await backends())('shipped knowledge articles on %s', (backend) => {
  let s: TestServer;
  let dir: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    dir = mkdtempSync(join(tmpdir(), 'loopdesk-kb-'));
  });
  afterAll(async () => s?.close());

  const write = (content: object) => writeFileSync(join(dir, 'range-hood-noise.json'), JSON.stringify(content));
  const load = async () => (await loadShippedArticles(s.server.ctx, dir)).map((r) => r.outcome);
  const article = async (id: string) => (await s.api('GET', `/api/knowledge/articles/${id}`, { token: s.adminToken })).body;

  it('R13: created published, unchanged on reload, updated when the file changes, kept when a person edited it', async () => {
    write(shipped);
    const [first] = await loadShippedArticles(s.server.ctx, dir);
    expect(first.outcome).toBe('created');
    expect(await article(first.id)).toMatchObject({ key: 'range-hood-noise', status: 'published', rev: 1, createdBy: 'system' });
    expect(await load()).toEqual(['unchanged']);

    write({ ...shipped, steps: ['清洗风轮', '检查电机轴承'] });
    expect(await load()).toEqual(['updated']);
    expect(await article(first.id)).toMatchObject({ rev: 2, steps: ['清洗风轮', '检查电机轴承'] });

    const supervisor = await s.user('lead-sun', { roles: ['supervisor'] });
    const { key: _, ...content } = shipped;
    const edited = await s.api('PUT', `/api/knowledge/articles/${first.id}`, { token: supervisor, body: { ...content, title: '油烟机噪音大（门店版）', rev: 2 } });
    expect(edited.status).toBe(200);
    write({ ...shipped, steps: ['清洗风轮', '更换风轮'] });
    expect(await load()).toEqual(['kept']);
    expect(await article(first.id)).toMatchObject({ title: '油烟机噪音大（门店版）', rev: 3 });
  });

  it('R13: a shipped article that breaks the schema is refused with its file named', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'loopdesk-kb-bad-'));
    writeFileSync(join(bad, 'broken.json'), JSON.stringify({ ...shipped, key: 'Broken Key', language: 'fr' }));
    await expect(loadShippedArticles(s.server.ctx, bad)).rejects.toThrow(/broken\.json[\s\S]*\/key[\s\S]*\/language/);
  });
});
