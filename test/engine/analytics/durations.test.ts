/**
 * Time per node, response and resolution times, SLA attainment, backlog and overdue list (R24,
 * R26, R0c, R5/R6) over HTTP, on small hand-computed fixtures written straight into a fresh
 * database of each backend.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../engine/sla/calendar.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { DAY, H, at, insertCase, insertDefinition } from './fixtures.ts';

const calendar = new BusinessCalendar(JSON.parse(readFileSync(new URL('../../../definitions/calendars/cn-mainland.json', import.meta.url), 'utf8')));
const NOW = '2026-03-20T10:00:00+08:00';

for (const backend of await backends()) {
  describe(`analytics durations (${backend})`, () => {
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
      const db = t.server.ctx.db;
      await insertDefinition(db, { key: 'nd', version: 1, nodes: { verify: '核实身份 Verify', handle: '处理 Handle' } });
      // handle: wall 1, 2, 3, 4, 10 h; working 0.5, 1, 1.5, 2, 3 h. verify: 0.25 h each.
      const wall = [1, 2, 3, 4, 10];
      const working = [0.5, 1, 1.5, 2, 3];
      for (let i = 0; i < 5; i++) {
        await insertCase(db, {
          processKey: 'nd',
          caseNumber: `ND00${i + 1}`,
          startedAt: at(`2026-03-0${i + 2} 09:00`),
          variables: { feedbackIntake: { description: `空调不制冷 case ${i + 1}` }, handling: { responsiblePerson: i === 4 ? 'zhao' : 'wang' } },
          visits: [
            { nodeId: 'start', type: 'startEvent', hours: 0 },
            { nodeId: 'verify', hours: 0.25 },
            { nodeId: 'gw', type: 'exclusiveGateway', hours: 0 },
            { nodeId: 'handle', hours: wall[i], workingHours: working[i] },
          ],
        });
      }
      // One case still in handle: its open visit is not counted.
      await insertCase(db, { processKey: 'nd', state: 'active', startedAt: at('2026-03-09 09:00'), visits: [{ nodeId: 'verify', hours: 0.25 }, { nodeId: 'handle' }] });
    });
    afterAll(async () => t?.close());

    it('R24: time per node — count, mean, min, median, p90 and max, wall and working', async () => {
      const r = await get('/api/analytics/nodes?processKey=nd');
      expect(r.precision).toEqual({ source: 'exact' });
      expect(r.cases).toBe(6);
      expect(r.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['handle', 'verify']); // slowest first; gateways and start events left out
      const handle = r.nodes[0];
      expect(handle.name).toBe('处理 Handle');
      expect(handle.wall).toMatchObject({ count: 5, mean: 4 * H, min: 1 * H, median: 3 * H, max: 10 * H });
      expect(handle.wall.p90).toBeCloseTo(7.6 * H, 0); // rank 3.6: 4 h + 0.6 × 6 h
      expect(handle.working).toMatchObject({ count: 5, mean: 1.6 * H, min: 0.5 * H, median: 1.5 * H, max: 3 * H });
      expect(handle.working.p90).toBeCloseTo(2.6 * H, 0);
      expect(r.nodes[1].wall).toMatchObject({ count: 6, median: 0.25 * H });
    });

    it('R26: the slowest cases per node come with their description and owner', async () => {
      const r = await get('/api/analytics/nodes?processKey=nd');
      const slow = r.nodes[0].slowest;
      expect(slow.map((s: { caseNumber: string }) => s.caseNumber)).toEqual(['ND005', 'ND004', 'ND003', 'ND002', 'ND001']);
      expect(slow[0]).toMatchObject({ description: '空调不制冷 case 5', owner: 'zhao', valueMs: 10 * H, workingMs: 3 * H });
    });

    it('R0c: working-time durations across a weekend count only working hours', async () => {
      const db = t.server.ctx.db;
      // Friday 17:00 → Monday 10:00 in Shanghai: 65 h on the wall, 1 h Friday + 1 h Monday of work.
      const from = at('2026-03-06 17:00');
      const to = at('2026-03-09 10:00');
      const working = calendar.workingMsBetween(new Date(from), new Date(to));
      expect(working).toBe(2 * H);
      await insertCase(db, { processKey: 'wk', startedAt: from, visits: [{ nodeId: 'repair', enteredAt: from, hours: (to - from) / H, workingHours: working / H }] });
      const r = await get('/api/analytics/nodes?processKey=wk');
      expect(r.nodes[0].wall.max).toBe(65 * H);
      expect(r.nodes[0].working.max).toBe(2 * H);
    });

    it('R24: filters narrow every statistic (period, person, type …)', async () => {
      const r = await get('/api/analytics/nodes?processKey=nd&person=zhao');
      expect(r.cases).toBe(1);
      expect(r.nodes.find((n: { nodeId: string }) => n.nodeId === 'handle').wall.count).toBe(1);
      const period = await get('/api/analytics/nodes?processKey=nd&from=2026-03-02&to=2026-03-03');
      expect(period.cases).toBe(2); // 2 and 3 March, `to` is inclusive
      expect((await get('/api/analytics/nodes?processKey=nd&team=nobody')).cases).toBe(0);
      expect((await t.api('GET', '/api/analytics/nodes?from=2026-03-05&to=2026-03-01', { token: head })).status).toBe(400);
    });

    describe('response and resolution', () => {
      beforeAll(async () => {
        const db = t.server.ctx.db;
        // Response (target 4 h): 1, 2, 3 h met, 5 h breached, one still running past its target.
        // Resolution (target 24 h): 10, 20, 30 (breached), 40 (breached) h.
        const response = [1, 2, 3, 5];
        const resolution = [10, 20, 30, 40];
        for (let i = 0; i < 4; i++) {
          await insertCase(db, {
            processKey: 'sla',
            startedAt: at(`2026-03-1${i} 09:00`),
            clocks: [
              { key: 'response', hours: response[i], targetHours: 4, breached: response[i] > 4 },
              { key: 'resolution', hours: resolution[i], targetHours: 24, breached: resolution[i] > 24 },
            ],
          });
        }
        await insertCase(db, {
          processKey: 'sla',
          state: 'active',
          startedAt: at('2026-03-19 09:00'),
          clocks: [{ key: 'response', targetHours: 4, breached: true }, { key: 'resolution', targetHours: 24 }],
        });
      });

      it('R24: first response and resolution times — mean, min, max, p50, p90 of stopped clocks', async () => {
        const r = await get('/api/analytics/sla?processKey=sla');
        expect(r.cases).toBe(5);
        expect(r.response).toMatchObject({ count: 4, mean: 2.75 * H, min: 1 * H, median: 2.5 * H, max: 5 * H });
        expect(r.response.p90).toBeCloseTo(4.4 * H, 0); // rank 2.7: 3 h + 0.7 × 2 h
        expect(r.resolution).toMatchObject({ count: 4, mean: 25 * H, min: 10 * H, median: 25 * H, max: 40 * H });
        expect(r.resolution.p90).toBeCloseTo(37 * H, 0);
      });

      it('R5: SLA attainment and breach rate per clock (a running breached clock counts as breached)', async () => {
        const r = await get('/api/analytics/sla?processKey=sla');
        const response = r.clocks.find((c: { key: string }) => c.key === 'response');
        const resolution = r.clocks.find((c: { key: string }) => c.key === 'resolution');
        expect(response).toMatchObject({ met: 3, breached: 2, attainment: 0.6, breachRate: 0.4 });
        expect(resolution).toMatchObject({ met: 2, breached: 2, attainment: 0.5, breachRate: 0.5 }); // the running one has no outcome yet
      });

      it('R24: above exactCaseLimit an unfiltered report reads the daily aggregates — counts, means and maxima exact, percentiles within 1%', async () => {
        const def = await t.api('PUT', '/api/analytics/definition', { token: t.adminToken, body: { targets: [], settings: { exactCaseLimit: 0 } } });
        expect(def.status, JSON.stringify(def.body)).toBe(200);
        try {
          const agg = await get('/api/analytics/sla?processKey=sla');
          const exact = await get('/api/analytics/sla?processKey=sla&exact=true');
          expect(agg.precision.source).toBe('daily-aggregates');
          expect(agg.precision.relativeError).toBeLessThan(0.011);
          expect(exact.precision.source).toBe('exact');
          for (const key of ['response', 'resolution'] as const) {
            expect(agg[key]).toMatchObject({ count: exact[key].count, mean: exact[key].mean, min: exact[key].min, max: exact[key].max });
            expect(Math.abs(agg[key].median / exact[key].median - 1)).toBeLessThan(0.011);
          }
          expect(agg.clocks.map((c: { key: string; met: number; breached: number }) => [c.key, c.met, c.breached])).toEqual(
            exact.clocks.map((c: { key: string; met: number; breached: number }) => [c.key, c.met, c.breached]),
          );
          const nodes = await get('/api/analytics/nodes?processKey=nd');
          expect(nodes.precision.source).toBe('daily-aggregates');
          const handle = nodes.nodes.find((n: { nodeId: string }) => n.nodeId === 'handle');
          expect(handle.wall).toMatchObject({ count: 5, mean: 4 * H, min: 1 * H, max: 10 * H });
          expect(Math.abs(handle.wall.median / (3 * H) - 1)).toBeLessThan(0.011);
          expect(handle.slowest[0]).toMatchObject({ caseNumber: 'ND005', owner: 'zhao', valueMs: 10 * H, workingMs: 3 * H });
          // Dimension filters always read the cases themselves.
          expect((await get('/api/analytics/nodes?processKey=nd&person=zhao')).precision.source).toBe('exact');
        } finally {
          await t.api('PUT', '/api/analytics/definition', { token: t.adminToken, body: { targets: [] } });
        }
      });
    });

    it('R8: backlog by age and the overdue list, current to the minute', async () => {
      const db = t.server.ctx.db;
      const now = Date.parse(NOW);
      for (const hoursAgo of [2, 30, 100, 400]) {
        await insertCase(db, { processKey: 'bk', state: 'active', caseNumber: `BK${hoursAgo}`, startedAt: now - hoursAgo * H });
      }
      await insertCase(db, {
        processKey: 'bk',
        state: 'active',
        caseNumber: 'BK-DUE',
        startedAt: now - 5 * H,
        clocks: [{ key: 'response', targetHours: 4 }], // due 1 h ago, breach job not fired yet
      });
      await insertCase(db, { processKey: 'bk', state: 'active', caseNumber: 'BK-BREACHED', startedAt: now - 30 * H, clocks: [{ key: 'resolution', targetHours: 24, breached: true }] });
      await insertCase(db, { processKey: 'bk', caseNumber: 'BK-DONE', startedAt: now - 50 * H });
      const r = await get('/api/analytics/backlog?processKey=bk');
      expect(r.open).toBe(6);
      expect(r.ageing.map((b: { label: string; count: number }) => [b.label, b.count])).toEqual([
        ['0-24h', 2],
        ['24-72h', 2],
        ['72-168h', 1],
        ['168-336h', 0],
        ['>336h', 1],
      ]);
      expect(r.overdue.map((o: { caseNumber: string; clock: string; overdueMs: number }) => [o.caseNumber, o.clock, o.overdueMs])).toEqual([
        ['BK-BREACHED', 'resolution', 6 * H],
        ['BK-DUE', 'response', 1 * H],
      ]);
    });

    it('R24: only supervisors and admins read the statistics', async () => {
      const agent = await t.user('agent1');
      expect((await t.api('GET', '/api/analytics/nodes', { token: agent })).status).toBe(403);
      expect((await t.api('GET', '/api/analytics/sla')).status).toBe(401);
    });
  });
}

void DAY;
