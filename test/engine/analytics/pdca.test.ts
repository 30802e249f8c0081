/**
 * The PDCA side of analytics over HTTP on both backends: targets and benchmarks beside actuals
 * (R25, R29), the weekly audit of incomplete records (R9), pilot vs baseline (R34), optimisation
 * actions with before/after (R28) and the weekly review sample (R27).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../../engine/analytics/stats.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { DAY, H, at, insertCase, insertDefinition } from './fixtures.ts';

const shipped = JSON.parse(readFileSync(new URL('../../../definitions/analytics/targets.json', import.meta.url), 'utf8'));
const NOW = '2024-06-15T10:00:00+08:00';

for (const backend of await backends()) {
  describe(`analytics PDCA (${backend})`, () => {
    let t: TestServer;
    let head: string;
    const get = async (path: string, token = head) => {
      const r = await t.api('GET', path, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };

    beforeAll(async () => {
      t = await startTestServer(backend, { manualClock: true, clockStart: NOW });
      head = await t.user('head', { roles: ['supervisor'] });
    });
    afterAll(async () => t?.close());

    it('R25: the shipped targets load through the API; invalid definitions are refused with pointers', async () => {
      const bad = await t.api('PUT', '/api/analytics/definition', {
        token: t.adminToken,
        body: { targets: [{ key: 'x', metric: 'fcrRate', target: 'PT2H' }, { key: 'y', metric: 'nope', target: 1 }, { key: 'z', metric: 'nps' }] },
      });
      expect(bad.status).toBe(422);
      expect((await t.api('PUT', '/api/analytics/definition', { token: head, body: shipped })).status).toBe(403);
      const ok = await t.api('PUT', '/api/analytics/definition', { token: t.adminToken, body: shipped });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.settings).toMatchObject({ minGroupSize: 20, reviewSampleRate: 0.1 });
      expect((await get('/api/analytics/definition')).targets).toHaveLength(shipped.targets.length);
    });

    it('R29: quantified goals beside the actuals — complaint handling 48 h → 24 h, satisfaction +15%, the 12 h industry benchmark', async () => {
      const db = t.server.ctx.db;
      // Complaints resolved in 20 h and 26 h (mean 23 h ≤ 24 h); an inquiry of 100 h does not count.
      for (const [type, hours, score] of [
        ['complaint', 20, 4],
        ['complaint', 26, 4],
        ['inquiry', 100, 5],
      ] as const) {
        await insertCase(db, {
          processKey: 'tg',
          startedAt: at('2024-05-06 09:00'),
          variables: { feedbackIntake: { type }, callback: { satisfactionScore: score } },
          clocks: [
            { key: 'resolution', hours },
            { key: 'response', hours: 10 },
          ],
        });
      }
      const r = await get('/api/analytics/targets?processKey=tg&from=2024-05-01&to=2024-05-31');
      const byKey = Object.fromEntries(r.items.map((i: { key: string }) => [i.key, i]));
      expect(byKey['complaint-handling-time']).toMatchObject({ actual: 23 * H, n: 2, target: 24 * H, baseline: 48 * H, better: 'lower', achieved: true, filters: { type: 'complaint' } });
      // 3.8 × 1.15 = 4.37 > 4.33
      expect(byKey.satisfaction.target).toBeCloseTo(4.37, 10);
      expect(byKey.satisfaction).toMatchObject({ n: 3, achieved: false });
      expect(byKey['response-time']).toMatchObject({ actual: 10 * H, target: 8 * H, achieved: false, benchmark: { value: 12 * H, beaten: true } });
      expect(byKey['first-contact-resolution']).toMatchObject({ actual: null, n: 0, achieved: null });
    });

    it('R9: the weekly audit lists records whose start or end point is missing', async () => {
      const db = t.server.ctx.db;
      await db.run("INSERT INTO sla_policies (key, definition, updated_at, updated_by) VALUES ('p-audit', ?, 0, 'admin')", [
        JSON.stringify({ key: 'p-audit', clocks: [{ key: 'response' }, { key: 'resolution' }, { key: 'callback' }] }),
      ]);
      await insertDefinition(db, { key: 'au', version: 1, slaPolicy: 'p-audit' });
      const now = Date.parse(NOW);
      const both = [
        { key: 'response', hours: 1 },
        { key: 'resolution', hours: 5 },
      ];
      const ok = await insertCase(db, { processKey: 'au', caseNumber: 'AU-OK', startedAt: now - 10 * DAY, clocks: both });
      const noEnd = await insertCase(db, { processKey: 'au', caseNumber: 'AU-NOEND', startedAt: now - 9 * DAY, clocks: [both[0], { key: 'resolution' }] });
      const noStart = await insertCase(db, { processKey: 'au', caseNumber: 'AU-NOSTART', startedAt: now - 8 * DAY, clocks: [both[1]] });
      const stale = await insertCase(db, { processKey: 'au', caseNumber: 'AU-STALE', state: 'active', startedAt: now - 5 * DAY, clocks: [{ key: 'response' }, { key: 'resolution' }] });
      await insertCase(db, { processKey: 'au', caseNumber: 'AU-FRESH', state: 'active', startedAt: now - 1 * DAY, clocks: [{ key: 'response' }, { key: 'resolution' }] });
      await insertCase(db, { processKey: 'au', caseNumber: 'AU-CANCELLED', state: 'terminated', startedAt: now - 7 * DAY });
      await insertCase(db, { processKey: 'no-policy', startedAt: now - 7 * DAY });
      const r = await get('/api/analytics/incomplete');
      expect(r.checked).toBe(5);
      expect(r.items.map((i: { instanceId: string; problems: string[] }) => [i.instanceId, i.problems])).toEqual([
        [noEnd, ['resolution-end-missing']],
        [noStart, ['response-start-missing']],
        [stale, ['open-without-response']],
      ]);
      expect(r.items.map((i: { instanceId: string }) => i.instanceId)).not.toContain(ok);
    });

    describe('R34 pilot vs baseline', () => {
      const pilotHours = Array.from({ length: 25 }, (_, i) => 10 + (i % 10));
      const baseHours = Array.from({ length: 30 }, (_, i) => 18 + (i % 12));
      beforeAll(async () => {
        const db = t.server.ctx.db;
        await insertDefinition(db, { key: 'pl', version: 1, status: 'published' });
        await insertDefinition(db, { key: 'pl', version: 2, status: 'pilot', pilotTeams: ['east'], pilotUntil: at('2024-05-20 00:00') });
        const start = at('2024-05-06 09:00');
        for (const [i, h] of pilotHours.entries()) {
          await insertCase(db, {
            processKey: 'pl',
            version: 2,
            startedAt: start + i * H,
            variables: { handling: { resolved: true, responsibleDepartment: i < 5 ? 'small' : 'east' } },
            clocks: [{ key: 'resolution', hours: h }],
          });
        }
        for (const [i, h] of baseHours.entries()) {
          await insertCase(db, {
            processKey: 'pl',
            version: 1,
            startedAt: start + i * H,
            variables: { handling: { resolved: i % 3 !== 0, responsibleDepartment: i < 3 ? 'small' : 'west' } },
            clocks: [{ key: 'resolution', hours: h }],
          });
        }
        // Before the pilot period: not part of the baseline.
        await insertCase(db, { processKey: 'pl', version: 1, startedAt: at('2024-04-01 09:00'), clocks: [{ key: 'resolution', hours: 500 }] });
      });

      it('R34: same period, both groups side by side with the Mann-Whitney p-value, a reproducible bootstrap interval and the verdict', async () => {
        const r = await get('/api/analytics/pilot?processKey=pl&version=2');
        expect(r).toMatchObject({ processKey: 'pl', version: 2, status: 'pilot', pilotTeams: ['east'], from: at('2024-05-06 09:00') });
        expect(r.comparison.groups.pilot.cases).toBe(25);
        expect(r.comparison.groups.baseline.cases).toBe(30);
        const res = r.comparison.durations.find((d: { metric: string }) => d.metric === 'resolutionMs');
        expect(res.pilot).toMatchObject({ count: 25, median: 14 * H });
        expect(res.baseline).toMatchObject({ count: 30, median: 22.5 * H });
        expect(res.medianDifference).toBe(-8.5 * H);
        const mw = mannWhitneyU(
          pilotHours.map((h) => h * H),
          baseHours.map((h) => h * H),
        )!;
        expect(res.mannWhitney.pValue).toBeCloseTo(mw.pValue, 12);
        expect(res.mannWhitney.pValue).toBeLessThan(0.001);
        expect(res.ci.upper).toBeLessThan(0);
        expect(res.ci.lower).toBeLessThanOrEqual(res.medianDifference);
        expect(res.verdict).toBe('better');
        const again = await get('/api/analytics/pilot?processKey=pl&version=2');
        expect(again.comparison.durations).toEqual(r.comparison.durations);
        const fcr = r.comparison.metrics.find((m: { metric: string }) => m.metric === 'finalResolutionRate');
        expect(fcr.pilot.value).toBe(1);
        expect(fcr.baseline.value).toBeCloseTo(20 / 30, 12);
        expect(fcr.verdict).toBe('better');
      });

      it('R34: below 20 cases per group the answer is "not enough data", whatever the numbers', async () => {
        const r = await get('/api/analytics/pilot?processKey=pl&version=2&department=small');
        expect(r.comparison.groups.pilot.cases).toBe(5);
        expect(r.comparison.groups.baseline.cases).toBe(3);
        expect(r.comparison.minGroupSize).toBe(20);
        for (const d of r.comparison.durations) expect(d.verdict).toBe('not-enough-data');
        expect((await t.api('GET', '/api/analytics/pilot?processKey=pl&version=9', { token: head })).status).toBe(404);
      });
    });

    describe('R28 optimisation actions', () => {
      const eff = at('2024-05-13 00:00');
      beforeAll(async () => {
        const db = t.server.ctx.db;
        // Before: complaints resolved in 20 h; after: 15 h.
        for (let i = 0; i < 6; i++) {
          await insertCase(db, { processKey: 'ac', startedAt: eff - (i + 1) * DAY, variables: { feedbackIntake: { type: 'complaint' } }, clocks: [{ key: 'resolution', hours: 20 }] });
          await insertCase(db, { processKey: 'ac', startedAt: eff + i * DAY + H, variables: { feedbackIntake: { type: 'complaint' } }, clocks: [{ key: 'resolution', hours: 15 }] });
        }
      });

      it('R28: actions are created, read, changed with a revision check and deleted', async () => {
        const created = await t.api('POST', '/api/analytics/actions', {
          token: head,
          body: { title: '引入在线客服处理简单咨询', processKey: 'ac', effectiveAt: '2024-05-13', metric: 'resolutionMs.mean', target: 'PT10H', filters: { type: 'complaint' }, windowDays: 7 },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body).toMatchObject({ effectiveAt: eff, target: 10 * H, status: 'measuring', createdBy: 'head', rev: 1 });
        const id = created.body.id;
        expect((await get('/api/analytics/actions?processKey=ac')).map((a: { id: string }) => a.id)).toContain(id);
        const patched = await t.api('PATCH', `/api/analytics/actions/${id}`, { token: head, body: { title: 'renamed', rev: 1 } });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({ title: 'renamed', rev: 2 });
        const stale = await t.api('PATCH', `/api/analytics/actions/${id}`, { token: head, body: { title: 'again', rev: 1 } });
        expect(stale.status).toBe(409);
        expect((await t.api('POST', '/api/analytics/actions', { token: head, body: { title: 'x', processKey: 'ac', effectiveAt: '2024-05-13', metric: 'fcrRate', target: 'PT1H' } })).status).toBe(422);
        expect((await t.api('DELETE', `/api/analytics/actions/${id}`, { token: head })).status).toBe(204);
        expect((await t.api('GET', `/api/analytics/actions/${id}`, { token: head })).status).toBe(404);
      });

      it('R28: before/after with the same statistics; a missed target sends the action back for another round', async () => {
        const missed = await t.api('POST', '/api/analytics/actions', {
          token: head,
          body: { title: 'missed', processKey: 'ac', effectiveAt: String(eff), metric: 'resolutionMs.mean', target: 'PT10H', filters: { type: 'complaint' }, windowDays: 7 },
        });
        const met = await t.api('POST', '/api/analytics/actions', {
          token: head,
          body: { title: 'met', processKey: 'ac', effectiveAt: String(eff), metric: 'resolutionMs.mean', target: 'PT16H', filters: { type: 'complaint' }, windowDays: 7 },
        });
        const cmp = await get(`/api/analytics/actions/${missed.body.id}/comparison`);
        expect(cmp.before).toMatchObject({ value: 20 * H, n: 6, from: eff - 7 * DAY, to: eff });
        expect(cmp.after).toMatchObject({ value: 15 * H, n: 6, from: eff, to: eff + 7 * DAY });
        expect(cmp).toMatchObject({ targetMet: false, windowComplete: true, status: 'needs-another-round' });
        expect(cmp.action.status).toBe('measuring'); // reading does not change the action
        expect(cmp.comparison.durations.find((d: { metric: string }) => d.metric === 'resolutionMs').verdict).toBe('not-enough-data');
        const evaluated = await t.api('POST', `/api/analytics/actions/${missed.body.id}/evaluate`, { token: head });
        expect(evaluated.status).toBe(200);
        expect(evaluated.body.action).toMatchObject({ status: 'needs-another-round', before: 20 * H, after: 15 * H });
        expect((await get(`/api/analytics/actions/${missed.body.id}`)).status).toBe('needs-another-round');
        const ok = await t.api('POST', `/api/analytics/actions/${met.body.id}/evaluate`, { token: head });
        expect(ok.body.action.status).toBe('achieved');
      });
    });

    describe('R27 weekly review', () => {
      beforeAll(async () => {
        const db = t.server.ctx.db;
        // Week 2024-W19: 25 typical cases closed (15 first-contact failures, 10 complaints) and 5 others.
        const monday = at('2024-05-06 09:00');
        for (let i = 0; i < 30; i++) {
          const typical = i < 25;
          await insertCase(db, {
            processKey: 'rv',
            caseNumber: `RV${String(i).padStart(2, '0')}`,
            startedAt: monday - DAY,
            endedAt: monday + (i % 5) * DAY,
            variables: {
              feedbackIntake: { type: typical && i >= 15 ? 'complaint' : 'fault' },
              handling: { resolved: true, firstContactResolution: !(typical && i < 15) },
            },
          });
        }
      });

      it('R27: 10% of the week’s first-contact failures and complaints, drawn reproducibly and frozen', async () => {
        const preview = await get('/api/analytics/reviews/2024-W19?processKey=rv');
        expect(preview).toMatchObject({ week: '2024-W19', frozen: false, candidates: 25, sampleSize: 3, from: at('2024-05-06 00:00'), to: at('2024-05-13 00:00') });
        expect(await get('/api/analytics/reviews/2024-W19?processKey=rv')).toEqual(preview);
        for (const s of preview.sample) expect(['first-contact-failure', 'complaint']).toContain(s.reason);
        const drawn = await t.api('POST', '/api/analytics/reviews/2024-W19/sample?processKey=rv', { token: head });
        expect(drawn.status).toBe(200);
        expect(drawn.body.frozen).toBe(true);
        expect(drawn.body.sample.map((s: { instanceId: string }) => s.instanceId).sort()).toEqual(preview.sample.map((s: { instanceId: string }) => s.instanceId).sort());
        // Drawing again keeps the sample.
        const again = await t.api('POST', '/api/analytics/reviews/2024-W19/sample?processKey=rv', { token: head });
        expect(again.body.sample).toEqual(drawn.body.sample);
        expect((await t.api('GET', '/api/analytics/reviews/2024-W99', { token: head })).status).toBe(400);
      });

      it('R27: people / process / tool causes are recorded for sampled cases only', async () => {
        const review = await get('/api/analytics/reviews/2024-W19?processKey=rv');
        const sampled = review.sample[0].instanceId;
        const f = await t.api('POST', '/api/analytics/reviews/2024-W19/findings', {
          token: head,
          body: { instanceId: sampled, category: 'tool', cause: '知识库未更新解决方案', action: '更新知识库条目' },
        });
        expect(f.status, JSON.stringify(f.body)).toBe(201);
        expect(f.body).toMatchObject({ week: '2024-W19', instanceId: sampled, category: 'tool', recordedBy: 'head' });
        const other = await t.api('POST', '/api/analytics/reviews/2024-W19/findings', { token: head, body: { instanceId: 'not-sampled', category: 'people', cause: 'x' } });
        expect(other.status).toBe(422);
        expect((await get('/api/analytics/reviews/2024-W19?processKey=rv')).findings).toHaveLength(1);
      });
    });
  });
}
