/**
 * The articles used on a case (R13): whoever may read the case links an article and sees the
 * links, others get 404 as for the case itself; links are removed by whoever linked them or a
 * supervisor; an article updated from a case review names that case; all of it audited (R40).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';

const processXml = singleTaskProcess({ processId: 'repair-case', taskId: 'diagnose', taskName: 'Diagnose', candidateGroups: 'aftersales-tech' });

const article = {
  title: '空调制冷效果差',
  symptom: '空调不制冷或制冷慢。',
  causes: ['滤网脏堵', '冷媒不足'],
  steps: ['清洗滤网', '测压力并查漏补氟'],
  productTags: ['空调'],
  language: 'zh-CN',
};

describe.each(await backends())('articles linked to a case on %s', (backend) => {
  let s: TestServer;
  let wang: string;
  let li: string;
  let outsider: string;
  let supervisor: string;
  let articleId: string;
  let draftId: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    expect((await s.deploy(processXml)).status).toBe(201);
    wang = await s.user('wang', { teams: ['aftersales-tech'] });
    li = await s.user('li', { teams: ['aftersales-tech'] });
    outsider = await s.user('zhou', { teams: ['service-center'] });
    supervisor = await s.user('boss', { roles: ['supervisor'] });
    articleId = (await s.api('POST', '/api/knowledge/articles?publish=true', { token: supervisor, body: article })).body.id;
    draftId = (await s.api('POST', '/api/knowledge/articles', { token: supervisor, body: { ...article, title: '空调冷媒泄漏（草稿）' } })).body.id;
  });
  afterAll(async () => s?.close());

  const newCase = async () => {
    const r = await s.api('POST', '/api/instances', { token: wang, body: { processKey: 'repair-case' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };

  it('R13: an agent links the article used on a case, with a note, and sees it on the case', async () => {
    const caseId = await newCase();
    const linked = await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId, note: '第 2 步解决：补氟' } });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({ instanceId: caseId, articleId, linkedBy: 'wang', note: '第 2 步解决：补氟', title: '空调制冷效果差', status: 'published' });

    const again = await s.api('POST', `/api/instances/${caseId}/articles`, { token: li, body: { articleId, note: '补氟后恢复' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ linkedBy: 'wang', note: '补氟后恢复' });

    const list = await s.api('GET', `/api/instances/${caseId}/articles`, { token: li });
    expect(list.status).toBe(200);
    expect(list.body.map((l: { articleId: string; note: string }) => [l.articleId, l.note])).toEqual([[articleId, '补氟后恢复']]);
  });

  it('R13: someone who may not read the case gets 404, for the links as for the case', async () => {
    const caseId = await newCase();
    expect((await s.api('GET', `/api/instances/${caseId}`, { token: outsider })).status).toBe(404);
    expect((await s.api('GET', `/api/instances/${caseId}/articles`, { token: outsider })).status).toBe(404);
    expect((await s.api('POST', `/api/instances/${caseId}/articles`, { token: outsider, body: { articleId } })).status).toBe(404);
    expect((await s.api('GET', '/api/instances/no-such-case/articles', { token: supervisor })).status).toBe(404);
  });

  it('R13: agents cannot link a draft or an unknown article; a supervisor can link the draft', async () => {
    const caseId = await newCase();
    expect((await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId: draftId } })).status).toBe(404);
    expect((await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId: 'nope' } })).status).toBe(404);
    expect((await s.api('POST', `/api/instances/${caseId}/articles`, { token: supervisor, body: { articleId: draftId } })).status).toBe(201);
  });

  it('R13: a link is removed by whoever made it or a supervisor, and is gone from the case', async () => {
    const caseId = await newCase();
    await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId } });
    expect((await s.api('DELETE', `/api/instances/${caseId}/articles/${articleId}`, { token: li })).status).toBe(403);
    expect((await s.api('DELETE', `/api/instances/${caseId}/articles/${articleId}`, { token: wang })).status).toBe(204);
    expect((await s.api('GET', `/api/instances/${caseId}/articles`, { token: wang })).body).toEqual([]);
    expect((await s.api('DELETE', `/api/instances/${caseId}/articles/${articleId}`, { token: wang })).status).toBe(404);

    await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId } });
    expect((await s.api('DELETE', `/api/instances/${caseId}/articles/${articleId}`, { token: supervisor })).status).toBe(204);
  });

  it('R13/R40: linking and unlinking are in the case\'s audit trail', async () => {
    const caseId = await newCase();
    await s.api('POST', `/api/instances/${caseId}/articles`, { token: wang, body: { articleId, note: '有用' } });
    await s.api('DELETE', `/api/instances/${caseId}/articles/${articleId}`, { token: wang });
    const trail = await s.api('GET', `/api/audit?entityType=instance&entityId=${caseId}`, { token: supervisor });
    const actions = (trail.body as { action: string; actor: string; after: any; before: any }[]).filter((r) => r.action.startsWith('knowledge.')).reverse();
    expect(actions.map((r) => [r.action, r.actor])).toEqual([
      ['knowledge.article.link', 'wang'],
      ['knowledge.article.unlink', 'wang'],
    ]);
    expect(actions[0].after).toMatchObject({ articleId, note: '有用' });
    expect(actions[1].before).toMatchObject({ articleId, linkedBy: 'wang' });
  });

  it('R13: an article updated from a case review names the case; an unknown case is refused', async () => {
    const caseId = await newCase();
    const current = (await s.api('GET', `/api/knowledge/articles/${articleId}`, { token: supervisor })).body;
    const updated = await s.api('PUT', `/api/knowledge/articles/${articleId}`, {
      token: supervisor,
      body: { ...article, steps: [...article.steps, '检查室外机电容（复盘新增）'], sourceCaseId: caseId, rev: current.rev },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ sourceCaseId: caseId, rev: current.rev + 1 });
    const found = await s.api('GET', `/api/knowledge/search?q=${encodeURIComponent('室外机电容')}`, { token: wang });
    expect(found.body.items[0].title).toBe('空调制冷效果差');
    expect(found.body.items[0].snippet).toMatchObject({ field: 'steps', index: 2 });

    const unknown = await s.api('POST', '/api/knowledge/articles', { token: supervisor, body: { ...article, sourceCaseId: 'no-such-case' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].path).toBe('/sourceCaseId');
  });
});
