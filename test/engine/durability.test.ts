/**
 * R0c durability: timers and acknowledged work survive a server process that is killed (SIGKILL)
 * and restarted on the same database, on every backend. A timer that fell due while the server was
 * down fires exactly once after the restart; a timer burst interrupted by a kill neither loses nor
 * duplicates a firing; SIGTERM shuts down cleanly (exit code 0).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { CHILD_ADMIN_PASSWORD, type ServerProcess, openDatabaseReader, spawnServer, waitFor } from '../helpers/processes.ts';

const BACKENDS = await backends();

/**
 * `review` is a user task with an interrupting 3 s boundary timer leading to `escalate`;
 * `wait` is a 2 s intermediate timer followed by the end.
 */
const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="durability-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="review-timeout" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="Review" />
    <bpmn:boundaryEvent id="review_timeout" attachedToRef="review" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT3S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="escalate" name="Escalate" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f_start_review" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f_review_done" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f_timeout_escalate" sourceRef="review_timeout" targetRef="escalate" />
  </bpmn:process>
  <bpmn:process id="short-wait" isExecutable="true">
    <bpmn:startEvent id="w_start" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="w_end" />
    <bpmn:sequenceFlow id="g_start_wait" sourceRef="w_start" targetRef="wait" />
    <bpmn:sequenceFlow id="g_wait_end" sourceRef="wait" targetRef="w_end" />
  </bpmn:process>
</bpmn:definitions>`;

const count = <T>(items: T[], pred: (x: T) => boolean) => items.filter(pred).length;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function deployed(server: ServerProcess): Promise<string> {
  const token = await server.login('admin', CHILD_ADMIN_PASSWORD);
  const res = await server.api('POST', '/api/processes?publish=true', { body: XML, token, headers: { 'content-type': 'application/xml' } });
  if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${JSON.stringify(res.body)}`);
  return token;
}

async function startInstance(server: ServerProcess, token: string, processKey: string): Promise<string> {
  const res = await server.api('POST', '/api/instances', { token, body: { processKey } });
  if (res.status !== 201) throw new Error(`start ${processKey} failed: ${res.status} ${JSON.stringify(res.body)}\n${server.stderr()}`);
  return res.body.id as string;
}

async function timerFirings(server: ServerProcess, token: string, instanceId: string) {
  const res = await server.api('GET', `/api/audit?entityType=instance&entityId=${instanceId}&limit=1000`, { token });
  expect(res.status).toBe(200);
  return (res.body as { action: string; after: { nodeId: string; dueAt: number; firedAt: number } }[]).filter((a) => a.action === 'timer.fire');
}

describe.each(BACKENDS)('R0c durability across server kills (%s)', (backend) => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    // The last server of a test owns the database; dispose of all of them (SIGKILL if still up).
    for (const s of servers.splice(0).reverse()) await s.dispose();
  });

  it('R0c: a timer that fell due while the server was killed fires exactly once after restart', { timeout: 90_000 }, async () => {
    const first = await spawnServer({ backend });
    servers.push(first);
    const token = await deployed(first);

    // Pending: their 3 s timers are armed when the server dies. Acknowledged: their review task was
    // completed (HTTP 200) before the kill, which must survive and cancel their timers for good.
    const pending = await pool(Array.from({ length: 6 }), 3, () => startInstance(first, token, 'review-timeout'));
    const acknowledged = await pool(Array.from({ length: 4 }), 4, () => startInstance(first, token, 'review-timeout'));
    for (const id of acknowledged) {
      const inst = await first.api('GET', `/api/instances/${id}`, { token });
      const task = inst.body.openTasks.find((t: { nodeId: string }) => t.nodeId === 'review');
      expect(task, `instance ${id} has its review task`).toBeDefined();
      const done = await first.api('POST', `/api/tasks/${task.id}/complete`, { token, body: { data: { verdict: `ok-${id}` } } });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }

    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    // While it is down: the pending timers are stored (and none fired before the kill), the
    // acknowledged instances' timers are gone.
    const db = await openDatabaseReader(first.databaseUrl);
    let dueAts: number[];
    try {
      const jobs = await db.all<{ instance_id: string; due_at: number; node_id: string }>(
        `SELECT instance_id, due_at, node_id FROM jobs WHERE kind = 'timer'`,
      );
      expect(jobs.map((j) => j.instance_id).sort(), 'exactly the pending instances have a stored timer').toEqual([...pending].sort());
      expect(new Set(jobs.map((j) => j.node_id))).toEqual(new Set(['review_timeout']));
      const fired = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fire'`);
      expect(Number(fired[0]!.n), 'no timer fired before the kill (the setup was too slow if this fails)').toBe(0);
      dueAts = jobs.map((j) => Number(j.due_at));
    } finally {
      await db.close();
    }

    // The server is down, so there is no API to poll: wait for the wall clock to pass the last due time.
    const lastDue = Math.max(...dueAts);
    const downFor = lastDue + 300 - Date.now();
    expect(downFor, 'the timers are due 3 s after start; the kill must come before').toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, downFor));
    expect(Date.now()).toBeGreaterThan(lastDue);

    const second = await first.restart();
    servers.push(second);

    // Every pending instance moves on to `escalate`.
    await waitFor(
      'every pending instance to escalate after the restart',
      async () => {
        for (const id of pending) {
          const inst = await second.api('GET', `/api/instances/${id}`, { token });
          if (!inst.body?.openTasks?.some((t: { nodeId: string }) => t.nodeId === 'escalate')) return false;
        }
        return true;
      },
      20_000,
      100,
    );

    for (const id of pending) {
      const inst = await second.api('GET', `/api/instances/${id}`, { token });
      expect(inst.status).toBe(200);
      const history = inst.body.history as { nodeId: string; outcome: string | null }[];
      expect(count(history, (h) => h.nodeId === 'review_timeout'), `boundary timer visits of ${id}`).toBe(1);
      expect(count(history, (h) => h.nodeId === 'escalate'), `escalate visits of ${id}`).toBe(1);
      expect(history.find((h) => h.nodeId === 'review')?.outcome).toBe('cancelled');
      expect(inst.body.state).toBe('active');
      expect(inst.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toEqual(['escalate']);
      const firings = await timerFirings(second, token, id);
      expect(firings, `timer.fire audit rows of ${id}`).toHaveLength(1);
      expect(firings[0]!.after.nodeId).toBe('review_timeout');
      expect(firings[0]!.after.firedAt).toBeGreaterThanOrEqual(firings[0]!.after.dueAt);
    }

    // Nothing lost: the completions acknowledged before the kill are still there, and their
    // (cancelled) timers never fired.
    for (const id of acknowledged) {
      const inst = await second.api('GET', `/api/instances/${id}`, { token });
      expect(inst.status).toBe(200);
      expect(inst.body.state, `acknowledged instance ${id}`).toBe('completed');
      const history = inst.body.history as { nodeId: string; outcome: string | null; completedBy: string | null }[];
      const review = history.filter((h) => h.nodeId === 'review');
      expect(review).toHaveLength(1);
      expect(review[0]).toMatchObject({ outcome: 'completed', completedBy: 'admin' });
      expect(count(history, (h) => h.nodeId === 'done')).toBe(1);
      expect(count(history, (h) => h.nodeId === 'review_timeout' || h.nodeId === 'escalate')).toBe(0);
      expect(inst.body.variables).toMatchObject({ verdict: `ok-${id}` });
      expect(await timerFirings(second, token, id)).toHaveLength(0);
    }

    // No timer row is left that could fire a second time later.
    const after = await openDatabaseReader(second.databaseUrl);
    try {
      expect(await after.all(`SELECT id FROM jobs WHERE kind = 'timer'`)).toEqual([]);
    } finally {
      await after.close();
    }
  });

  it('R0c: a SIGKILL in the middle of a burst of due timers neither loses nor repeats a firing', { timeout: 90_000 }, async () => {
    const N = 300;
    const first = await spawnServer({ backend });
    servers.push(first);
    const token = await deployed(first);
    const ids = await pool(Array.from({ length: N }), 8, () => startInstance(first, token, 'short-wait'));

    // Kill as soon as the first firings are committed, while the rest are still due or pending.
    const db = await openDatabaseReader(first.databaseUrl);
    let firedAtKill: number;
    try {
      await waitFor(
        'the first timer firing',
        async () => Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fire'`))[0]!.n) > 0,
        15_000,
        5,
      );
      await first.kill('SIGKILL');
      firedAtKill = Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timer.fire'`))[0]!.n);
    } finally {
      await db.close();
    }
    expect(firedAtKill, 'the kill should land inside the burst (not after every timer fired)').toBeLessThan(N);

    const second = await first.restart();
    servers.push(second);
    const check = await openDatabaseReader(second.databaseUrl);
    try {
      await waitFor(
        `all ${N} instances to complete after the restart`,
        async () => Number((await check.all<{ n: number }>(`SELECT COUNT(*) AS n FROM instances WHERE state = 'completed'`))[0]!.n) === N,
        30_000,
        100,
      );
      const firings = await check.all<{ entity_id: string; n: number }>(
        `SELECT entity_id, COUNT(*) AS n FROM audit_log WHERE action = 'timer.fire' GROUP BY entity_id`,
      );
      expect(firings.map((f) => f.entity_id).sort(), 'one timer.fire row for every instance').toEqual([...ids].sort());
      expect(firings.filter((f) => Number(f.n) !== 1), 'instances whose timer fired more than once').toEqual([]);
      const visits = await check.all<{ instance_id: string; n: number; open: number }>(
        `SELECT instance_id, COUNT(*) AS n, SUM(CASE WHEN left_at IS NULL THEN 1 ELSE 0 END) AS open FROM node_visits WHERE node_id = 'wait' GROUP BY instance_id`,
      );
      expect(visits).toHaveLength(N);
      expect(visits.filter((v) => Number(v.n) !== 1 || Number(v.open) !== 0), 'instances with other than one closed visit of the timer').toEqual([]);
      const ends = await check.all<{ n: number }>(`SELECT COUNT(*) AS n FROM node_visits WHERE node_id = 'w_end'`);
      expect(Number(ends[0]!.n)).toBe(N);
      expect(await check.all(`SELECT id FROM jobs`)).toEqual([]);
    } finally {
      await check.close();
    }
    // Visible through the API as well, for one instance fired before and one after the kill.
    for (const id of [ids[0]!, ids[N - 1]!]) {
      const firingsOf = await timerFirings(second, token, id);
      expect(firingsOf).toHaveLength(1);
    }
  });

  it('R0c: SIGTERM shuts the server down gracefully with exit code 0 and keeps the data', { timeout: 60_000 }, async () => {
    const first = await spawnServer({ backend });
    servers.push(first);
    const token = await deployed(first);
    const id = await startInstance(first, token, 'review-timeout');

    const started = Date.now();
    const exit = await first.kill('SIGTERM', 10_000);
    expect(exit, `exit after SIGTERM; stderr:\n${first.stderr()}`).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(first.stderr()).not.toMatch(/shutdown failed/);

    const second = await first.restart();
    servers.push(second);
    const inst = await second.api('GET', `/api/instances/${id}`, { token });
    expect(inst.status).toBe(200);
    expect(inst.body.state).toBe('active');
    expect(inst.body.history.map((h: { nodeId: string }) => h.nodeId).slice(0, 2)).toEqual(['start', 'review']);
  });
});
