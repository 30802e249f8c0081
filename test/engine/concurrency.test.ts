/**
 * Exactly-once task commands under concurrency, on every backend: many simultaneous completions of
 * one task by one user advance the instance once; many simultaneous claims by different candidates
 * give the task to exactly one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../engine/auth/sessions.ts';
import { backends } from '../helpers/backends.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const BACKENDS = await backends();

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="concurrency-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="handoff" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="work" name="Work">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="team-a" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="next" name="Next">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="team-a" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="next" />
    <bpmn:sequenceFlow id="f3" sourceRef="next" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

const COMPLETERS = 50;
const ROUNDS = 10;
const CLAIMANTS = 20;

describe.each(BACKENDS)('exactly-once task commands under concurrency (%s)', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    const res = await t.deploy(XML);
    if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${JSON.stringify(res.body)}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function startWithOpenTask(): Promise<{ instanceId: string; taskId: string }> {
    const started = await t.api('POST', '/api/instances', { token: t.adminToken, body: { processKey: 'handoff' } });
    expect(started.status).toBe(201);
    const inst = await t.api('GET', `/api/instances/${started.body.id}`, { token: t.adminToken });
    const task = inst.body.openTasks.find((x: { nodeId: string }) => x.nodeId === 'work');
    expect(task).toBeDefined();
    return { instanceId: started.body.id, taskId: task.id };
  }

  async function auditOf(entityType: string, entityId: string): Promise<{ action: string; actor: string }[]> {
    const res = await t.api('GET', `/api/audit?entityType=${entityType}&entityId=${entityId}&limit=1000`, { token: t.adminToken });
    expect(res.status).toBe(200);
    return res.body;
  }

  it(`R0c: ${COMPLETERS} concurrent completions of one task by the same user: one 200, the rest 409, one step`, { timeout: 60_000 }, async () => {
    const token = await t.user(`completer-${backend}`, { roles: ['agent'], teams: ['team-a'] });
    // Several rounds, one fresh task each: a lost race shows in some rounds only.
    for (let round = 0; round < ROUNDS; round++) await completeRace(token, round);
  });

  async function completeRace(token: string, round: number): Promise<void> {
    const { instanceId, taskId } = await startWithOpenTask();

    const results = await Promise.all(
      Array.from({ length: COMPLETERS }, (_, attempt) =>
        t.api('POST', `/api/tasks/${taskId}/complete`, { token, body: { data: { attempt } } }).then((r) => ({ attempt, ...r })),
      ),
    );
    const statuses = results.map((r) => r.status);
    const winners = results.filter((r) => r.status === 200);
    const bodies = results.filter((r) => r.status !== 200 && r.status !== 409).map((r) => `${r.status} ${JSON.stringify(r.body)}`);
    expect(winners, `round ${round}, statuses: ${JSON.stringify(statuses)}`).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 200);
    expect(losers.map((r) => r.status), `round ${round}: ${bodies.join('; ')}`).toEqual(Array(COMPLETERS - 1).fill(409));
    expect(new Set(losers.map((r) => r.body.code))).toEqual(new Set(['LD_TASK_ALREADY_COMPLETED']));
    const winner = winners[0]!;

    // The task holds the winner's data, and the instance advanced exactly once.
    const task = await t.api('GET', `/api/tasks/${taskId}`, { token: t.adminToken });
    expect(task.body).toMatchObject({ state: 'completed', completedBy: `completer-${backend}`, data: { attempt: winner.attempt } });
    const inst = await t.api('GET', `/api/instances/${instanceId}`, { token: t.adminToken });
    const history = inst.body.history as { nodeId: string; outcome: string | null; completedBy: string | null }[];
    expect(history.filter((h) => h.nodeId === 'work')).toEqual([expect.objectContaining({ outcome: 'completed', completedBy: `completer-${backend}` })]);
    expect(history.filter((h) => h.nodeId === 'next'), 'visits of the next node').toHaveLength(1);
    expect(inst.body.openTasks.map((x: { nodeId: string }) => x.nodeId)).toEqual(['next']);
    expect(inst.body.variables).toMatchObject({ attempt: winner.attempt });
    expect((await auditOf('task', taskId)).filter((a) => a.action === 'task.complete')).toHaveLength(1);
  }

  it(`R0c: ${CLAIMANTS} concurrent claims of one task by different candidates: exactly one wins`, { timeout: 60_000 }, async () => {
    // Users through the API; their sessions straight from the store, because the login route is
    // rate-limited to 20 attempts a minute.
    const claimants: { username: string; token: string }[] = [];
    for (let i = 0; i < CLAIMANTS; i++) {
      const username = `claimant-${i}`;
      const created = await t.api('POST', '/api/users', {
        token: t.adminToken,
        body: { username, password: `${username}-password`, roles: ['agent'], teams: ['team-a'] },
      });
      expect(created.status).toBe(201);
      const session = await createSession(t.server.ctx.db, created.body.id, Date.now());
      claimants.push({ username, token: session.token });
    }
    const { taskId } = await startWithOpenTask();

    const results = await Promise.all(
      claimants.map((c) => t.api('POST', `/api/tasks/${taskId}/claim`, { token: c.token }).then((r) => ({ ...c, ...r }))),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners, `statuses: ${JSON.stringify(results.map((r) => r.status))}`).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 200);
    expect(losers.map((r) => r.status)).toEqual(Array(CLAIMANTS - 1).fill(409));
    expect(new Set(losers.map((r) => r.body.code))).toEqual(new Set(['LD_TASK_CLAIMED']));
    const winner = winners[0]!;
    expect(winner.body.assignee).toBe(winner.username);

    const task = await t.api('GET', `/api/tasks/${taskId}`, { token: t.adminToken });
    expect(task.body).toMatchObject({ state: 'open', assignee: winner.username });
    const claims = (await auditOf('task', taskId)).filter((a) => a.action === 'task.claim');
    expect(claims.map((a) => a.actor)).toEqual([winner.username]);

    // The claim holds: another candidate cannot complete it, the winner can.
    const other = claimants.find((c) => c.username !== winner.username)!;
    const stolen = await t.api('POST', `/api/tasks/${taskId}/complete`, { token: other.token, body: { data: {} } });
    expect(stolen.status).toBe(409);
    expect(stolen.body.code).toBe('LD_TASK_CLAIMED');
    const done = await t.api('POST', `/api/tasks/${taskId}/complete`, { token: winner.token, body: { data: {} } });
    expect(done.status).toBe(200);
  });
});
