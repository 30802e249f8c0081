/**
 * Resolution quality, satisfaction, case mix and staff figures (R22, R19, R24, R26, R30, R41) over
 * HTTP on hand-computed fixtures, both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { at, insertCase } from './fixtures.ts';

const handling = (h: Record<string, unknown>) => ({ handling: h });

for (const backend of await backends()) {
  describe(`analytics outcomes (${backend})`, () => {
    let t: TestServer;
    let head: string;
    let wang: string;
    const get = async (path: string, token = head) => {
      const r = await t.api('GET', path, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };

    beforeAll(async () => {
      t = await startTestServer(backend, { manualClock: true, clockStart: '2024-06-15T10:00:00+08:00' });
      head = await t.user('head', { roles: ['supervisor'] });
      wang = await t.user('wang', { teams: ['east'] });
      await t.user('li', { teams: ['east'] });
      const saved = await t.api('PUT', '/api/analytics/definition', {
        token: t.adminToken,
        body: { targets: [{ key: 'fcr', metric: 'fcrRate', target: 0.8 }, { key: 'final', metric: 'finalResolutionRate', target: 0.98 }] },
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    });
    afterAll(async () => t?.close());

    it('R22: first-contact resolution excludes reopened, re-dispatched and self-declared repeat cases; final resolution lists the reasons', async () => {
      const db = t.server.ctx.db;
      const start = at('2024-05-06 09:00');
      const task = (extra: Record<string, unknown> = {}) => [{ nodeId: 'handle', formId: 'handling', completedBy: 'wang', ...extra }];
      await insertCase(db, { processKey: 'q', startedAt: start, variables: { ...handling({ resolved: true }), reopenCount: 0 }, tasks: task() }); // FCR
      await insertCase(db, { processKey: 'q', startedAt: start, variables: handling({ resolved: true }), tasks: task() }); // FCR: reopenCount absent
      await insertCase(db, { processKey: 'q', startedAt: start, variables: { ...handling({ resolved: true }), reopenCount: 1 }, tasks: task() }); // reopened
      await insertCase(db, { processKey: 'q', startedAt: start, variables: handling({ resolved: true }), tasks: task({ assignee: 'li', completedBy: 'li', reassignedFrom: ['wang'] }) }); // re-dispatched
      await insertCase(db, { processKey: 'q', startedAt: start, variables: handling({ resolved: true, firstContactResolution: false }), tasks: task() }); // marked not first contact
      await insertCase(db, { processKey: 'q', startedAt: start, variables: handling({ resolved: false, unresolvedReason: '需厂家定制配件' }), tasks: task() });
      await insertCase(db, { processKey: 'q', startedAt: start, variables: handling({ resolved: false }), tasks: task() });
      await insertCase(db, { processKey: 'q', state: 'active', startedAt: start }); // not handled yet: not counted
      // A first assignment by hand (from nobody) is not a re-dispatch.
      await insertCase(db, {
        processKey: 'q',
        state: 'active',
        startedAt: start,
        variables: handling({ resolved: true }),
        tasks: [{ nodeId: 'handle', formId: 'handling', assignee: 'wang', state: 'open', reassignedFrom: [] }],
      });
      const r = await get('/api/analytics/quality?processKey=q');
      expect(r.cases).toBe(9);
      expect(r.firstContactResolution).toMatchObject({ count: 3, of: 8, target: 0.8, achieved: false });
      expect(r.firstContactResolution.rate).toBeCloseTo(3 / 8, 12);
      expect(r.finalResolution).toMatchObject({ count: 5, of: 7, target: 0.98, achieved: false });
      expect(r.reopen).toMatchObject({ count: 1, of: 8 });
      expect(r.unresolvedReasons).toEqual([
        { key: null, count: 1, share: 0.5 },
        { key: '需厂家定制配件', count: 1, share: 0.5 },
      ]);
    });

    it('R19: mean score, distribution, NPS and the low-score cases', async () => {
      const db = t.server.ctx.db;
      const scores: [number, number][] = [
        [5, 10],
        [4, 9],
        [4, 7],
        [2, 5],
        [1, 0],
      ];
      for (const [i, [score, nps]] of scores.entries()) {
        await insertCase(db, {
          processKey: 'sat',
          caseNumber: `SAT${i}`,
          startedAt: at(i < 3 ? '2024-05-06 09:00' : '2024-05-14 09:00'),
          variables: { callback: { satisfactionScore: score, nps }, handling: { responsiblePerson: 'wang' } },
        });
      }
      const r = await get('/api/analytics/satisfaction?processKey=sat');
      expect(r.responses).toBe(5);
      expect(r.mean).toBeCloseTo(3.2, 12);
      expect(r.distribution).toEqual([
        { score: 1, count: 1 },
        { score: 2, count: 1 },
        { score: 3, count: 0 },
        { score: 4, count: 2 },
        { score: 5, count: 1 },
      ]);
      expect(r.nps).toEqual({ responses: 5, promoters: 2, passives: 1, detractors: 2, nps: 0 });
      expect(r.trend).toEqual([
        { period: '2024-W19', from: at('2024-05-06 00:00'), responses: 3, mean: 13 / 3, nps: (2 / 3) * 100 },
        { period: '2024-W20', from: at('2024-05-13 00:00'), responses: 2, mean: 1.5, nps: -100 },
      ]);
      expect(r.lowScores.map((c: { caseNumber: string; score: number }) => [c.caseNumber, c.score])).toEqual([
        ['SAT4', 1],
        ['SAT3', 2],
      ]);
      const monthly = await get('/api/analytics/satisfaction?processKey=sat&interval=month');
      expect(monthly.trend).toEqual([{ period: '2024-05', from: at('2024-05-01 00:00'), responses: 5, mean: 3.2, nps: 0 }]);
    });

    it('R19: NPS with all promoters, all detractors, and no answers', async () => {
      const db = t.server.ctx.db;
      for (const n of [9, 10]) await insertCase(db, { processKey: 'np-all', startedAt: at('2024-05-06 09:00'), variables: { callback: { nps: n } } });
      for (const n of [0, 6]) await insertCase(db, { processKey: 'np-none', startedAt: at('2024-05-06 09:00'), variables: { callback: { nps: n } } });
      await insertCase(db, { processKey: 'np-empty', startedAt: at('2024-05-06 09:00'), variables: { callback: { satisfactionScore: 4 } } });
      expect((await get('/api/analytics/satisfaction?processKey=np-all')).nps.nps).toBe(100);
      expect((await get('/api/analytics/satisfaction?processKey=np-none')).nps.nps).toBe(-100);
      expect((await get('/api/analytics/satisfaction?processKey=np-empty')).nps).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null });
      expect((await get('/api/analytics/satisfaction?processKey=nothing-here')).mean).toBeNull();
    });

    it('R26: type and channel shares, frequent causes and the Pareto with the 80% line', async () => {
      const db = t.server.ctx.db;
      const causes = [...Array(5).fill('滤网堵塞'), ...Array(3).fill('电容损坏'), '安装不水平', '冷媒不足'];
      for (const [i, cause] of causes.entries()) {
        await insertCase(db, {
          processKey: 'mix',
          startedAt: at('2024-05-07 09:00'),
          variables: { feedbackIntake: { type: i < 6 ? 'fault' : 'complaint', channel: i % 2 ? 'phone' : 'app', urgency: 'normal', productModel: i < 7 ? 'KFR-35' : 'BCD-500' }, handling: { cause } },
        });
      }
      const r = await get('/api/analytics/mix?processKey=mix');
      expect(r.cases).toBe(10);
      expect(r.types).toEqual([
        { key: 'fault', count: 6, share: 0.6 },
        { key: 'complaint', count: 4, share: 0.4 },
      ]);
      expect(r.channels).toEqual([
        { key: 'app', count: 5, share: 0.5 },
        { key: 'phone', count: 5, share: 0.5 },
      ]);
      expect(r.productModels[0]).toEqual({ key: 'KFR-35', count: 7, share: 0.7 });
      expect(r.pareto.threshold).toBe(0.8);
      expect(r.pareto.items.map((i: { key: string; cumulativeShare: number; vital: boolean }) => [i.key, i.cumulativeShare, i.vital])).toEqual([
        ['滤网堵塞', 0.5, true],
        ['电容损坏', 0.8, true],
        ['冷媒不足', 0.9, false],
        ['安装不水平', 1, false],
      ]);
    });

    it('R30: the monthly frequent-fault report groups product model and cause, with the month before', async () => {
      const db = t.server.ctx.db;
      const add = (when: string, productModel: string, cause: string) =>
        insertCase(db, { processKey: 'rd', startedAt: at(when), variables: { feedbackIntake: { type: 'fault', productModel }, handling: { cause } } });
      await add('2024-04-20 09:00', 'X1', '电池损耗快');
      for (const d of ['01', '02', '03']) await add(`2024-05-${d} 09:00`, 'X1', '电池损耗快');
      await add('2024-05-04 09:00', 'X2', '屏幕闪烁');
      const r = await get('/api/analytics/faults/monthly?processKey=rd&month=2024-05');
      expect(r).toMatchObject({ month: '2024-05', cases: 4 });
      expect(r.items).toEqual([
        { productModel: 'X1', cause: '电池损耗快', count: 3, share: 0.75, previousCount: 1, change: 2, examples: expect.any(Array) },
        { productModel: 'X2', cause: '屏幕闪烁', count: 1, share: 0.25, previousCount: 0, change: 1, examples: expect.any(Array) },
      ]);
      expect(r.items[0].examples).toHaveLength(3);
    });

    describe('R41 staff figures', () => {
      beforeAll(async () => {
        const db = t.server.ctx.db;
        const c = (owner: string, dept: string, resolved: boolean, score: number, hours: number) =>
          insertCase(db, {
            processKey: 'ppl',
            startedAt: at('2024-05-10 09:00'),
            variables: { handling: { responsiblePerson: owner, responsibleDepartment: dept, resolved }, callback: { satisfactionScore: score } },
            clocks: [{ key: 'resolution', hours }],
          });
        await c('wang', 'aftersales-tech', true, 5, 10);
        await c('wang', 'aftersales-tech', true, 2, 20);
        await c('wang', 'aftersales-tech', false, 1, 30);
        await c('li', 'service-center', true, 4, 5);
        await c('li', 'service-center', true, 5, 15);
      });

      it('R41: resolution rate, time and score per person, ranked, with coaching after two low scores in a month', async () => {
        const r = await get('/api/analytics/people?processKey=ppl&month=2024-05');
        expect(r.rows.map((x: { key: string; rank: number }) => [x.key, x.rank])).toEqual([
          ['li', 1],
          ['wang', 2],
        ]);
        const wangRow = r.rows[1];
        expect(wangRow).toMatchObject({ cases: 3, resolved: 2, scored: 3, lowScores: 2, coaching: true });
        expect(wangRow.resolutionRate).toBeCloseTo(2 / 3, 12);
        expect(wangRow.satisfaction).toBeCloseTo(8 / 3, 12);
        expect(wangRow.resolutionMs).toMatchObject({ count: 3, median: 20 * 3_600_000 });
        expect(r.rows[0]).toMatchObject({ resolutionRate: 1, satisfaction: 4.5, coaching: false });
        expect(r.coaching).toEqual([{ person: 'wang', month: '2024-05', lowScores: 2, cases: expect.any(Array) }]);
      });

      it('R24: department comparison', async () => {
        const r = await get('/api/analytics/people?processKey=ppl&groupBy=department');
        expect(r.rows.map((x: { key: string; cases: number }) => [x.key, x.cases])).toEqual([
          ['service-center', 2],
          ['aftersales-tech', 3],
        ]);
      });

      it('R41: an agent sees only their own figures', async () => {
        const own = await get('/api/analytics/people?processKey=ppl', wang);
        expect(own.rows.map((x: { key: string }) => x.key)).toEqual(['wang']);
        expect((await t.api('GET', '/api/analytics/people?person=li', { token: wang })).status).toBe(403);
        expect((await t.api('GET', '/api/analytics/quality', { token: wang })).status).toBe(403);
        // Team filter: owners who are members of the team.
        const team = await get('/api/analytics/people?processKey=ppl&team=east');
        expect(team.rows).toHaveLength(2);
      });
    });
  });
}
