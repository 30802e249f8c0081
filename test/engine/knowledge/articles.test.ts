/**
 * Writing knowledge articles over HTTP (R13): supervisors and admins write and publish, agents
 * read published articles only, a stale edit is refused, the search index follows every write in
 * the same transaction, and every write is in the audit trail (R40).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const draft = {
  title: '空调外机结冰',
  symptom: '冬季制热时室外机冷凝器结冰，制热效果下降。',
  causes: ['化霜传感器故障', '室外环境湿度大'],
  steps: ['检查化霜传感器阻值', '手动强制化霜'],
  productTags: ['空调', ' Heat-Pump '],
  language: 'zh-CN',
};

describe.each(await backends())('knowledge articles on %s', (backend) => {
  let s: TestServer;
  let agent: string;
  let supervisor: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    agent = await s.user('agent-li');
    supervisor = await s.user('lead-zhang', { roles: ['supervisor'] });
  });
  afterAll(async () => s?.close());

  const create = async (body: object = draft, token = supervisor) => s.api('POST', '/api/knowledge/articles', { token, body });
  const titles = async (q: string, token: string) =>
    ((await s.api('GET', `/api/knowledge/search?q=${encodeURIComponent(q)}`, { token })).body.items as { title: string }[]).map((i) => i.title);

  it('R13: agents may not write articles; a supervisor writes a draft at rev 1 with normalised tags', async () => {
    expect((await create(draft, agent)).status).toBe(403);
    const r = await create();
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ title: '空调外机结冰', status: 'draft', rev: 1, createdBy: 'lead-zhang', updatedBy: 'lead-zhang', productTags: ['空调', 'heat-pump'], publishedAt: null });
  });

  it('R13: an article needs a title, a symptom, lists of causes and steps, and a known language', async () => {
    for (const body of [{ ...draft, title: '  ' }, { ...draft, causes: ['  '] }, { ...draft, language: 'fr' }, { ...draft, symptom: undefined }]) {
      const r = await create(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('LD_VALIDATION');
    }
  });

  it('R13: drafts are hidden from agents in search and by id, until published', async () => {
    const { body: a } = await create({ ...draft, title: '空调外机结冰严重' });
    expect(await titles('外机结冰', supervisor)).toContain('空调外机结冰严重');
    expect(await titles('外机结冰', agent)).not.toContain('空调外机结冰严重');
    expect((await s.api('GET', `/api/knowledge/articles/${a.id}`, { token: agent })).status).toBe(404);
    expect((await s.api('POST', `/api/knowledge/articles/${a.id}/publish`, { token: agent })).status).toBe(403);

    const published = await s.api('POST', `/api/knowledge/articles/${a.id}/publish`, { token: supervisor });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', rev: 2 });
    expect(await titles('外机结冰', agent)).toContain('空调外机结冰严重');
    expect((await s.api('GET', `/api/knowledge/articles/${a.id}`, { token: agent })).body.title).toBe('空调外机结冰严重');
  });

  it('R13: an edit based on a stale rev answers 409 and changes nothing', async () => {
    const { body: a } = await create({ ...draft, title: '热泵化霜异常' });
    const first = await s.api('PUT', `/api/knowledge/articles/${a.id}`, { token: supervisor, body: { ...draft, title: '热泵化霜异常（修订）', rev: 1 } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.rev).toBe(2);
    const stale = await s.api('PUT', `/api/knowledge/articles/${a.id}`, { token: s.adminToken, body: { ...draft, title: '热泵化霜异常（另一人）', rev: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('LD_KNOWLEDGE_STALE');
    const now = await s.api('GET', `/api/knowledge/articles/${a.id}`, { token: supervisor });
    expect(now.body).toMatchObject({ title: '热泵化霜异常（修订）', rev: 2 });
    expect((await s.api('POST', `/api/knowledge/articles/${a.id}/publish`, { token: supervisor, body: { rev: 1 } })).status).toBe(409);
    expect((await s.api('PUT', '/api/knowledge/articles/no-such-article', { token: supervisor, body: { ...draft, rev: 1 } })).status).toBe(404);
  });

  it('R13: the search index follows an edit: the new wording is found, the old is not', async () => {
    const { body: a } = await create({ ...draft, title: '洗碗机不出水', productTags: ['洗碗机'], symptom: '洗碗机进水阀不工作。', causes: [], steps: [] });
    await s.api('POST', `/api/knowledge/articles/${a.id}/publish`, { token: supervisor });
    expect(await titles('洗碗机不出水', agent)).toContain('洗碗机不出水');
    const edited = await s.api('PUT', `/api/knowledge/articles/${a.id}`, {
      token: supervisor,
      body: { title: '消毒柜不加热', symptom: '消毒柜通电后温度不上升。', causes: ['发热管损坏'], steps: ['测量发热管电阻'], productTags: ['消毒柜'], language: 'zh-CN', rev: 2 },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.status).toBe('published');
    expect(await titles('消毒柜', agent)).toEqual(['消毒柜不加热']);
    expect(await titles('洗碗机', agent)).not.toContain('消毒柜不加热');
  });

  it('R13/R40: creating, editing and publishing an article are each audited with who, before and after', async () => {
    const { body: a } = await create({ ...draft, title: '空调制热效果差' });
    await s.api('PUT', `/api/knowledge/articles/${a.id}`, { token: supervisor, body: { ...draft, title: '空调制热效果差（冬季）', rev: 1 } });
    await s.api('POST', `/api/knowledge/articles/${a.id}/publish`, { token: s.adminToken });
    const trail = await s.api('GET', `/api/audit?entityType=knowledge_article&entityId=${a.id}`, { token: supervisor });
    expect(trail.status).toBe(200);
    const rows = [...(trail.body as { action: string; actor: string; before: any; after: any }[])].reverse();
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ['knowledge.article.create', 'lead-zhang'],
      ['knowledge.article.update', 'lead-zhang'],
      ['knowledge.article.publish', 'admin'],
    ]);
    expect(rows[1].before.title).toBe('空调制热效果差');
    expect(rows[1].after.title).toBe('空调制热效果差（冬季）');
    expect(rows[2].after).toEqual({ status: 'published', rev: 3 });
  });

  it('R13: an unchanged edit writes nothing and keeps the rev', async () => {
    const { body: a } = await create({ ...draft, title: '空调滴水声' });
    const same = await s.api('PUT', `/api/knowledge/articles/${a.id}`, { token: supervisor, body: { ...draft, title: '空调滴水声', rev: 1 } });
    expect(same.status).toBe(200);
    expect(same.body.rev).toBe(1);
    const trail = await s.api('GET', `/api/audit?entityType=knowledge_article&entityId=${a.id}`, { token: supervisor });
    expect(trail.body).toHaveLength(1);
  });
});

describe.each(await backends())('knowledge index across a restart on %s', (backend) => {
  it('R13: the index is there after a restart (rebuilt on SQLite, kept on PostgreSQL) and search still ranks', async () => {
    const first = await startTestServer(backend);
    const supervisor = await first.user('lead-qian', { roles: ['supervisor'] });
    const r = await first.api('POST', '/api/knowledge/articles?publish=true', { token: supervisor, body: { ...draft, title: '空调制冷效果差' } });
    expect(r.status).toBe(201);
    await first.server.close();
    const second = await startTestServer(backend, { databaseUrl: first.databaseUrl });
    try {
      const found = await second.api('GET', `/api/knowledge/search?q=${encodeURIComponent('空调不制冷')}`, { token: second.adminToken });
      expect(found.body.items.map((i: { title: string }) => i.title)).toEqual(['空调制冷效果差']);
    } finally {
      await second.server.close();
      await first.close();
    }
  });
});
