/**
 * Two Loopdesk nodes (server child processes) on one PostgreSQL database: 1,000 instances, each
 * waiting on one 2 s timer, started through both nodes; every timer fires exactly once, and both
 * nodes' job runners take part. PostgreSQL only: without it this file fails when
 * LOOPDESK_REQUIRE_PG=1 (backends() throws) and is skipped otherwise.
 *
 * Which node fired a timer is not recorded by the engine (the audit row's actor is 'system'), so the
 * test tells the nodes apart by their PostgreSQL application_name (PGAPPNAME, which node-postgres
 * honours) and a test-only trigger that copies it for every 'timer.fire' audit row.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, freshDatabaseUrl } from '../helpers/backends.ts';
import { CHILD_ADMIN_PASSWORD, type DatabaseReader, type ServerProcess, openDatabaseReader, spawnServer, waitFor } from '../helpers/processes.ts';

const HAS_PG = (await backends()).includes('postgres');

const INSTANCES = 1000;
const CONCURRENCY_PER_NODE = 8;

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="multinode-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="one-timer" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** Test-only bookkeeping: which node's connection inserted each timer.fire audit row. */
const FIRE_ORIGIN_SQL = [
  `CREATE TABLE test_fire_origin (audit_id varchar(64) PRIMARY KEY, instance_id varchar(300) NOT NULL, node text NOT NULL)`,
  `CREATE FUNCTION test_record_fire_origin() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.action = 'timer.fire' THEN
       INSERT INTO test_fire_origin (audit_id, instance_id, node) VALUES (NEW.id, NEW.entity_id, current_setting('application_name'));
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER test_fire_origin AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_record_fire_origin()`,
];

describe.runIf(HAS_PG)('R0c multi-node timers on PostgreSQL', () => {
  const nodes: ServerProcess[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const n of nodes) await n.dispose();
    await drop?.();
  });

  it('R0c: two nodes on one PostgreSQL database fire each of 1,000 timers exactly once', { timeout: 120_000 }, async () => {
    const fresh = await freshDatabaseUrl('postgres');
    drop = fresh.drop;
    // One after the other: the first start creates the schema and the admin user.
    nodes.push(await spawnServer({ databaseUrl: fresh.url, env: { PGAPPNAME: 'ld-node-a' } }));
    nodes.push(await spawnServer({ databaseUrl: fresh.url, env: { PGAPPNAME: 'ld-node-b' } }));
    const [a, b] = nodes as [ServerProcess, ServerProcess];

    const setup = new pg.Client({ connectionString: fresh.url });
    await setup.connect();
    try {
      for (const sql of FIRE_ORIGIN_SQL) await setup.query(sql);
    } finally {
      await setup.end();
    }

    const token = await a.login('admin', CHILD_ADMIN_PASSWORD);
    const deployed = await a.api('POST', '/api/processes?publish=true', { body: XML, token, headers: { 'content-type': 'application/xml' } });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);

    // Start the instances, alternating between the nodes, CONCURRENCY_PER_NODE in flight on each.
    const ids: string[] = [];
    const failures: string[] = [];
    const queues: number[][] = [[], []];
    for (let i = 0; i < INSTANCES; i++) queues[i % 2]!.push(i);
    const drain = async (node: ServerProcess, queue: number[]) => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const res = await node.api('POST', '/api/instances', { token, body: { processKey: 'one-timer', businessKey: `mn-${i}` } });
        if (res.status === 201) ids.push(res.body.id);
        else failures.push(`#${i} via ${node.url}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    };
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: CONCURRENCY_PER_NODE }, () => drain(a, queues[0]!)),
      ...Array.from({ length: CONCURRENCY_PER_NODE }, () => drain(b, queues[1]!)),
    ]);
    const startMs = Date.now() - started;
    expect(failures, 'instance starts that failed').toEqual([]);
    expect(new Set(ids).size).toBe(INSTANCES);

    const db: DatabaseReader = await openDatabaseReader(fresh.url);
    try {
      const completedCount = async () =>
        Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM instances WHERE process_key = 'one-timer' AND state = 'completed'`))[0]!.n);
      await waitFor(`all ${INSTANCES} instances to complete`, async () => (await completedCount()) === INSTANCES, 90_000, 250).catch(async (err) => {
        throw new Error(
          `${(err as Error).message}; completed ${await completedCount()}\nnode a stderr:\n${a.stderr()}\nnode b stderr:\n${b.stderr()}`,
        );
      });
      const allMs = Date.now() - started;

      const fires = await db.all<{ n: number; instances: number }>(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT entity_id) AS instances FROM audit_log WHERE action = 'timer.fire'`,
      );
      expect(Number(fires[0]!.n), "'timer.fire' audit rows").toBe(INSTANCES);
      expect(Number(fires[0]!.instances), 'instances with a timer.fire audit row').toBe(INSTANCES);

      const visits = await db.all<{ instance_id: string; n: number }>(
        `SELECT instance_id, COUNT(*) AS n FROM node_visits WHERE node_id = 'wait' GROUP BY instance_id`,
      );
      expect(visits.map((v) => v.instance_id).sort()).toEqual([...ids].sort());
      expect(visits.filter((v) => Number(v.n) !== 1), 'instances with more than one timer visit').toEqual([]);
      const open = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM node_visits WHERE node_id = 'wait' AND left_at IS NULL`);
      expect(Number(open[0]!.n)).toBe(0);
      const ends = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM node_visits WHERE node_id = 'end'`);
      expect(Number(ends[0]!.n)).toBe(INSTANCES);
      expect(await db.all(`SELECT id FROM jobs`)).toEqual([]);

      // Both nodes' job runners fired some of the timers.
      const byNode = await db.all<{ node: string; n: number }>(`SELECT node, COUNT(*) AS n FROM test_fire_origin GROUP BY node ORDER BY node`);
      const perNode = Object.fromEntries(byNode.map((r) => [r.node, Number(r.n)]));
      expect(Object.keys(perNode).sort(), `firings per node: ${JSON.stringify(perNode)}`).toEqual(['ld-node-a', 'ld-node-b']);
      expect(perNode['ld-node-a']! + perNode['ld-node-b']!).toBe(INSTANCES);
      expect(perNode['ld-node-a'], 'node a fired some').toBeGreaterThan(0);
      expect(perNode['ld-node-b'], 'node b fired some').toBeGreaterThan(0);
      console.info(`multinode: started ${INSTANCES} in ${startMs} ms, all completed after ${allMs} ms; firings per node ${JSON.stringify(perNode)}`);
    } finally {
      await db.close();
    }
  });
});
