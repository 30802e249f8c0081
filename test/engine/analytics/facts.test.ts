/**
 * Case facts stay current (R24): instances written before facts existed are backfilled on the
 * first report, open cases that moved are refreshed, and the daily aggregates follow every change
 * so that aggregated and exact reports agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCaseFacts } from '../../../engine/analytics/index.ts';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { H, at, insertCase } from './fixtures.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';

const FLOW_XML = singleTaskProcess({ processId: 'analytics-flow', taskId: 'handle', taskName: '处理 Handle', candidateGroups: 'desk' });

for (const backend of await backends()) {
  describe(`analytics case facts (${backend})`, () => {
    let t: TestServer;
    const get = async (path: string) => {
      const r = await t.api('GET', path, { token: t.adminToken });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };

    beforeAll(async () => {
      t = await startTestServer(backend, { manualClock: true, clockStart: '2024-06-15T10:00:00+08:00' });
    });
    afterAll(async () => t?.close());

    it('R24: instances without facts are backfilled lazily on the first report', async () => {
      const db = t.server.ctx.db;
      for (const h of [1, 2, 3]) await insertCase(db, { processKey: 'bf', startedAt: at('2024-01-10 09:00'), visits: [{ nodeId: 'handle', hours: h }], noFacts: true });
      expect((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM case_facts'))!.n).toBe(0);
      const r = await get('/api/analytics/nodes?processKey=bf');
      expect(r.cases).toBe(3);
      expect(r.nodes[0].wall).toMatchObject({ count: 3, median: 2 * H });
      // A recent instance written without the step hook is still picked up.
      await insertCase(db, { processKey: 'bf', startedAt: at('2024-06-14 09:00'), visits: [{ nodeId: 'handle', hours: 4 }], noFacts: true });
      expect((await get('/api/analytics/nodes?processKey=bf')).cases).toBe(4);
    });

    it('R24: an open case that moves is refreshed, and the aggregates agree with the exact figures', async () => {
      const db = t.server.ctx.db;
      const id = await insertCase(db, {
        processKey: 'inc',
        state: 'active',
        startedAt: at('2024-06-03 09:00'),
        visits: [{ nodeId: 'verify', hours: 1 }, { nodeId: 'handle' }],
        clocks: [{ key: 'response', hours: 1 }, { key: 'resolution' }],
      });
      for (const h of [2, 6]) {
        await insertCase(db, {
          processKey: 'inc',
          startedAt: at('2024-06-04 09:00'),
          visits: [
            { nodeId: 'verify', hours: 0.5 },
            { nodeId: 'handle', hours: h },
          ],
          clocks: [
            { key: 'response', hours: 0.5 },
            { key: 'resolution', hours: h + 0.5 },
          ],
        });
      }
      const put = await t.api('PUT', '/api/analytics/definition', { token: t.adminToken, body: { targets: [], settings: { exactCaseLimit: 0 } } });
      expect(put.status).toBe(200);
      const before = await get('/api/analytics/nodes?processKey=inc');
      expect(before.precision.source).toBe('daily-aggregates');
      expect(before.nodes.find((n: { nodeId: string }) => n.nodeId === 'handle').wall.count).toBe(2);

      // The engine closes handle (10 h), stops the resolution clock, completes the case.
      const left = at('2024-06-03 20:00');
      await db.transaction(async (tx) => {
        await tx.run("UPDATE node_visits SET left_at = ?, duration_ms = ?, working_ms = ? WHERE instance_id = ? AND node_id = 'handle'", [left, 10 * H, 10 * H, id]);
        await tx.run("UPDATE sla_clocks SET state = 'met', accumulated_ms = ?, stopped_at = ?, segment_start = NULL WHERE instance_id = ? AND clock_key = 'resolution'", [11 * H, left, id]);
        await tx.run("UPDATE instances SET state = 'completed', ended_at = ?, rev = rev + 1 WHERE id = ?", [left, id]);
        await recordCaseFacts(tx, id, left);
      });
      const agg = await get('/api/analytics/nodes?processKey=inc');
      const exact = await get('/api/analytics/nodes?processKey=inc&exact=true');
      const handleAgg = agg.nodes.find((n: { nodeId: string }) => n.nodeId === 'handle');
      const handleExact = exact.nodes.find((n: { nodeId: string }) => n.nodeId === 'handle');
      expect(handleExact.wall).toMatchObject({ count: 3, median: 6 * H, max: 10 * H });
      expect(handleAgg.wall).toMatchObject({ count: 3, mean: 6 * H, min: 2 * H, max: 10 * H });
      expect(Math.abs(handleAgg.wall.median / (6 * H) - 1)).toBeLessThan(0.011);
      expect(handleAgg.slowest[0]).toMatchObject({ instanceId: id, valueMs: 10 * H });
      const sla = await get('/api/analytics/sla?processKey=inc');
      expect(sla.resolution).toMatchObject({ count: 3, max: 11 * H });
      expect(sla.clocks.find((c: { key: string }) => c.key === 'resolution')).toMatchObject({ met: 3, breached: 0 });

      // Recording again changes nothing.
      await db.transaction((tx) => recordCaseFacts(tx, id, left));
      expect((await get('/api/analytics/nodes?processKey=inc')).nodes).toEqual(agg.nodes);
      await t.api('PUT', '/api/analytics/definition', { token: t.adminToken, body: { targets: [] } });
    });

    it('R24: cases run by the engine (started and completed over the API) appear in the reports', async () => {
      expect((await t.deploy(FLOW_XML)).status).toBe(201);
      const wang = await t.user('wang', { teams: ['desk'] });
      const started = await t.api('POST', '/api/instances', {
        token: wang,
        body: { processKey: 'analytics-flow', variables: { feedbackIntake: { type: 'complaint', channel: 'phone' }, handling: { resolved: true, responsiblePerson: 'wang' } } },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const before = await get('/api/analytics/quality?processKey=analytics-flow');
      expect(before).toMatchObject({ cases: 1 });
      await t.api('POST', '/api/admin/clock', { token: t.adminToken, body: { advance: 'PT3H' } });
      const inst = await t.api('GET', `/api/instances/${started.body.id}`, { token: wang });
      const task = inst.body.openTasks[0];
      expect((await t.api('POST', `/api/tasks/${task.id}/complete`, { token: wang, body: { data: {} } })).status).toBe(200);
      const nodes = await get('/api/analytics/nodes?processKey=analytics-flow');
      expect(nodes.nodes[0]).toMatchObject({ nodeId: 'handle', name: '处理 Handle', wall: { count: 1, median: 3 * H } });
      const quality = await get('/api/analytics/quality?processKey=analytics-flow&type=complaint');
      expect(quality.finalResolution).toMatchObject({ count: 1, of: 1 });
    });

    it('R24: over-long form values are cut to the columns, never failing the step', async () => {
      const db = t.server.ctx.db;
      const long = '很长的文本'.repeat(200);
      await insertCase(db, {
        processKey: 'long',
        startedAt: at('2024-06-14 09:00'),
        variables: { feedbackIntake: { type: long, channel: long, urgency: long, productModel: long, description: long }, handling: { responsiblePerson: long, cause: long }, callback: { satisfactionScore: 1e12 } },
      });
      const r = await get('/api/analytics/mix?processKey=long');
      expect(r.types[0].key).toHaveLength(60);
      expect((await get('/api/analytics/satisfaction?processKey=long')).responses).toBe(0);
    });

    it('R8: a clock that breaches while the case waits is seen without another step', async () => {
      const db = t.server.ctx.db;
      const id = await insertCase(db, { processKey: 'br', state: 'active', startedAt: at('2024-06-14 09:00'), clocks: [{ key: 'response', targetHours: 2 }] });
      expect((await get('/api/analytics/sla?processKey=br')).clocks[0]).toMatchObject({ met: 0, breached: 0 });
      await db.run("UPDATE sla_clocks SET state = 'breached', breached_at = ? WHERE instance_id = ?", [at('2024-06-14 11:00'), id]);
      expect((await get('/api/analytics/sla?processKey=br')).clocks[0]).toMatchObject({ met: 0, breached: 1 });
    });
  });
}
