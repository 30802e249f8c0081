/**
 * The crash-under-load experiment shared by the test (small counts) and the bench (large): a
 * server child process takes a steady stream of task completions over HTTP from several clients
 * while it is killed with SIGKILL at random moments (seeded) and restarted on the same database.
 * Every case is: register (task) → a 1 s timer → close (task) → end. At the end the database is
 * read directly and every acknowledged completion must be there exactly once, every case complete
 * with exactly one visit per node, no task, token or job left over, every timer fired once.
 */
import type { Backend } from '../helpers/backends.ts';
import { CHILD_ADMIN_PASSWORD, type ServerProcess, openDatabaseReader, spawnServer } from '../helpers/processes.ts';
import { seededRandom } from '../../engine/analytics/stats.ts';

export const CRASH_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="crash-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="crash-case" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="register" name="Register" />
    <bpmn:intermediateCatchEvent id="cool_off">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="close" name="Close" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register" />
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="cool_off" />
    <bpmn:sequenceFlow id="f3" sourceRef="cool_off" targetRef="close" />
    <bpmn:sequenceFlow id="f4" sourceRef="close" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

export interface CrashOptions {
  backend: Backend;
  cases: number;
  clients: number;
  kills: number;
  seed: number;
  /** Time between kills: uniformly random in [min, max] ms. */
  killEveryMs: [number, number];
  deadlineMs: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  backend: Backend;
  cases: number;
  kills: number;
  requests: number;
  acknowledged: number;
  /** Requests that failed because the server was down or died under them (retried). */
  interrupted: number;
  problems: string[];
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function crashUnderLoad(o: CrashOptions): Promise<CrashReport> {
  const random = seededRandom(o.seed);
  let server: ServerProcess = await spawnServer({ backend: o.backend, jobPollMs: 100 });
  const url = server.url;
  const token = await server.login('admin', CHILD_ADMIN_PASSWORD);
  const deployed = await server.api('POST', '/api/processes?publish=true', { body: CRASH_XML, token, headers: { 'content-type': 'application/xml' } });
  if (deployed.status !== 201) throw new Error(`deploy failed: ${deployed.status} ${JSON.stringify(deployed.body)}`);

  const report: CrashReport = { backend: o.backend, cases: o.cases, kills: 0, requests: 0, acknowledged: 0, interrupted: 0, problems: [] };
  const acknowledged = new Map<string, string>(); // task id → instance id
  const deadline = Date.now() + o.deadlineMs;

  /** One HTTP call; undefined when the server was down or died under it. */
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any } | undefined> => {
    report.requests++;
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      report.interrupted++;
      await sleep(100);
      return undefined;
    }
  };

  // Cases are started before the storm (starting is covered by the case-number tests).
  const ids: string[] = [];
  while (ids.length < o.cases) {
    const r = await call('POST', '/api/instances', { processKey: 'crash-case' });
    if (r?.status === 201) ids.push(r.body.id);
    else if (r) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  let stop = false;
  const clients = async (worker: number) => {
    for (let i = worker; i < ids.length && !stop; i += o.clients) {
      const id = ids[i]!;
      while (!stop && Date.now() < deadline) {
        const inst = await call('GET', `/api/instances/${id}`);
        if (!inst || inst.status >= 500) continue;
        if (inst.status !== 200) throw new Error(`GET instance ${id}: ${inst.status} ${JSON.stringify(inst.body)}`);
        if (inst.body.state === 'completed') break;
        const task = inst.body.openTasks[0];
        if (!task) {
          await sleep(150); // waiting for the timer
          continue;
        }
        const done = await call('POST', `/api/tasks/${task.id}/complete`, { data: { by: `client-${worker}` } });
        if (done?.status === 200) {
          if (acknowledged.has(task.id)) report.problems.push(`task ${task.id} was acknowledged twice`);
          acknowledged.set(task.id, id);
        } else if (done && done.status < 500 && done.status !== 404 && done.status !== 409) {
          report.problems.push(`complete ${task.id}: ${done.status} ${JSON.stringify(done.body)}`);
        }
      }
    }
  };

  const killer = async () => {
    for (let k = 0; k < o.kills && !stop; k++) {
      await sleep(o.killEveryMs[0] + random() * (o.killEveryMs[1] - o.killEveryMs[0]));
      if (stop) break;
      await server.kill('SIGKILL');
      report.kills++;
      o.log?.(`kill ${report.kills} after ${acknowledged.size} acknowledged completions`);
      await sleep(50 + random() * 300);
      server = await server.restart();
    }
  };

  const killing = killer();
  await Promise.all(Array.from({ length: o.clients }, (_, w) => clients(w)));
  stop = true;
  await killing;
  report.acknowledged = acknowledged.size;

  // Every case must finish: timers that fell due while the server was down fire after a restart.
  const db = await openDatabaseReader(server.databaseUrl);
  try {
    const states = await db.all<{ id: string; state: string }>(`SELECT id, state FROM instances WHERE process_key = 'crash-case'`);
    for (const s of states) if (s.state !== 'completed') report.problems.push(`instance ${s.id} is ${s.state}`);
    const tasks = await db.all<{ id: string; instance_id: string; node_id: string; state: string }>(
      `SELECT id, instance_id, node_id, state FROM tasks WHERE process_key = 'crash-case'`,
    );
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (const [taskId, instanceId] of acknowledged) {
      const t = byId.get(taskId);
      if (!t) report.problems.push(`acknowledged task ${taskId} is not in the database`);
      else if (t.state !== 'completed' || t.instance_id !== instanceId) report.problems.push(`acknowledged task ${taskId} is ${t.state}`);
    }
    // Exactly one task per user-task node and case: no completion applied twice, no task created twice.
    const perNode = new Map<string, number>();
    for (const t of tasks) perNode.set(`${t.instance_id}/${t.node_id}`, (perNode.get(`${t.instance_id}/${t.node_id}`) ?? 0) + 1);
    for (const [key, n] of perNode) if (n !== 1) report.problems.push(`${key} has ${n} tasks`);
    for (const t of tasks) if (t.state !== 'completed') report.problems.push(`task ${t.id} (${t.node_id}) is ${t.state}`);
    const visits = await db.all<{ instance_id: string; node_id: string; n: number; open: number }>(
      `SELECT v.instance_id, v.node_id, COUNT(*) AS n, SUM(CASE WHEN v.left_at IS NULL THEN 1 ELSE 0 END) AS open
       FROM node_visits v JOIN instances i ON i.id = v.instance_id WHERE i.process_key = 'crash-case' GROUP BY v.instance_id, v.node_id`,
    );
    for (const v of visits) {
      if (Number(v.n) !== 1) report.problems.push(`${v.instance_id}/${v.node_id} was visited ${v.n} times`);
      if (Number(v.open) !== 0) report.problems.push(`${v.instance_id}/${v.node_id} has an open visit`);
    }
    const expectedVisits = ids.length * 5; // start, register, cool_off, close, end
    if (visits.length !== expectedVisits) report.problems.push(`${visits.length} node visits, expected ${expectedVisits}`);
    const jobs = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs j JOIN instances i ON i.id = j.instance_id WHERE i.process_key = 'crash-case'`);
    if (Number(jobs[0]!.n) !== 0) report.problems.push(`${jobs[0]!.n} jobs left over`);
    const fired = await db.all<{ entity_id: string; n: number }>(`SELECT entity_id, COUNT(*) AS n FROM audit_log WHERE action = 'timer.fire' GROUP BY entity_id`);
    const firings = new Map(fired.map((f) => [f.entity_id, Number(f.n)]));
    for (const id of ids) if ((firings.get(id) ?? 0) !== 1) report.problems.push(`the timer of ${id} fired ${firings.get(id) ?? 0} times`);
  } finally {
    await db.close();
    await server.dispose();
  }
  return report;
}
