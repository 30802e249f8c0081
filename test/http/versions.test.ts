/**
 * Versions without code (R33, R34, R38): a changed process piloted with one team, rolled out and
 * rolled back; pilot feedback; diffs of processes and forms; retiring a rarely filled field.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const v1 = readFileSync(new URL('../engine/bpmn/fixtures/exec-parallel.bpmn', import.meta.url), 'utf8');
// R33: version 2 merges "A" and "B" into one node (b removed, its flows rewired).
const v2 = v1
  .replace('<bpmn:userTask id="b" name="B" />', '')
  .replace('<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="b" />', '')
  .replace('<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join" />', '')
  .replace('<bpmn:parallelGateway id="fork" />', '<bpmn:parallelGateway id="fork" />')
  .replace('<bpmn:userTask id="a" name="A" />', '<bpmn:userTask id="a" name="A and B" />')
  .replace('<bpmn:parallelGateway id="join" />', '<bpmn:parallelGateway id="join" />')
  .replace('<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join" />', '<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="c" />')
  .replace('<bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="c" />', '')
  .replace('<bpmn:parallelGateway id="join" />', '');
const intake = JSON.parse(readFileSync(new URL('../engine/forms/fixtures/intake.form.json', import.meta.url), 'utf8'));

describe.each(await backends())('versions, pilots and field review on %s', (backend) => {
  let s: TestServer;
  let pilotUser: string;
  let otherUser: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    expect((await s.deploy(v1)).status).toBe(201);
    const d2 = await s.deploy(v2, false);
    expect(d2.status, JSON.stringify(d2.body)).toBe(201);
    expect(d2.body.status).toBe('draft');
    pilotUser = await s.user('pilot1', { teams: ['east-team'] });
    otherUser = await s.user('other1', { teams: ['west-team'] });
  });
  afterAll(async () => s?.close());

  const startVersion = async (token: string) => {
    const r = await s.api('POST', '/api/instances', { token, body: { processKey: 'exec-parallel' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.version as number;
  };

  it('R33: the diff names the merged node and the rewired flows', async () => {
    const r = await s.api('GET', '/api/processes/exec-parallel/diff?from=1&to=2', { token: s.adminToken });
    expect(r.status).toBe(200);
    expect(r.body.removed.sort()).toEqual(['b', 'join']);
    expect(r.body.changed.map((c: { id: string }) => c.id)).toContain('a');
    expect(r.body.flows.removed.sort()).toEqual(['f3', 'f5', 'f6']);
  });

  it('R34: a pilot team starts on the new version, everyone else on the published one', async () => {
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const p = await s.api('POST', '/api/processes/exec-parallel/versions/2/pilot', { token: s.adminToken, body: { teams: ['east-team'], until } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.status).toBe('pilot');
    expect(await startVersion(pilotUser)).toBe(2);
    expect(await startVersion(otherUser)).toBe(1);
    const agentTry = await s.api('POST', '/api/processes/exec-parallel/versions/2/pilot', { token: pilotUser, body: { teams: ['x'], until } });
    expect(agentTry.status).toBe(403);
  });

  it('R34: pilot users leave feedback the owner can read', async () => {
    const f = await s.api('POST', '/api/processes/exec-parallel/versions/2/feedback', { token: pilotUser, body: { nodeId: 'a', text: '字段太多 too many fields' } });
    expect(f.status).toBe(201);
    const list = await s.api('GET', '/api/processes/exec-parallel/versions/2/feedback', { token: s.adminToken });
    expect(list.body).toEqual([expect.objectContaining({ nodeId: 'a', author: 'pilot1', text: '字段太多 too many fields' })]);
  });

  it('R34: roll-out gives everyone the new version; roll-back returns to the previous one; running cases keep theirs', async () => {
    const running = await s.api('POST', '/api/instances', { token: otherUser, body: { processKey: 'exec-parallel' } });
    expect((await s.api('POST', '/api/processes/exec-parallel/versions/2/rollout', { token: s.adminToken })).status).toBe(200);
    expect(await startVersion(otherUser)).toBe(2);
    const back = await s.api('POST', '/api/processes/exec-parallel/rollback', { token: s.adminToken });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toEqual({ retired: 2, current: 1 });
    expect(await startVersion(otherUser)).toBe(1);
    const still = await s.api('GET', `/api/instances/${running.body.id}`, { token: s.adminToken });
    expect(still.body.version).toBe(1);
  });

  it('R38: retiring a field makes a new draft without it and with a drop migration; the diff shows it', async () => {
    expect((await s.api('POST', '/api/forms?publish=true', { token: s.adminToken, body: intake })).status).toBe(201);
    const r = await s.api('POST', `/api/forms/${intake.key}/versions/1/retire-field`, { token: s.adminToken, body: { field: '/serialNo' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.version).toBe(2);
    expect(r.body.status).toBe('draft');
    const v = await s.api('GET', `/api/forms/${intake.key}/versions/2`, { token: s.adminToken });
    expect(v.body.definition.schema.properties.serialNo).toBeUndefined();
    expect(v.body.definition.migrations).toEqual([{ op: 'drop', path: '/serialNo' }]);
    const diff = await s.api('GET', `/api/forms/${intake.key}/diff?from=1&to=2`, { token: s.adminToken });
    expect(JSON.stringify(diff.body.removed)).toContain('/serialNo');
    const bad = await s.api('POST', `/api/forms/${intake.key}/versions/1/retire-field`, { token: s.adminToken, body: { field: '/nope' } });
    expect(bad.status).toBe(400);
  });
});
