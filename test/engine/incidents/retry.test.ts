/**
 * R35, R40: incidents and their retry on a real server. A gateway whose conditions cannot decide
 * (the variable they read is missing) stops the case with an incident; operators list it, retry
 * it — still failing without a fix (a new incident, the old one resolved), moving on once the
 * missing variable is supplied in the same step — and two retries at once run the node once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const FLOW = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="incident-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="refund" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="amount_check" name="Amount?" />
    <bpmn:userTask id="approve" name="Approve refund">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="desk" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="pay" name="Pay refund">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="desk" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end_a" />
    <bpmn:endEvent id="end_b" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="amount_check" />
    <bpmn:sequenceFlow id="big" sourceRef="amount_check" targetRef="approve"><bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="amount_check" targetRef="pay"><bpmn:conditionExpression>=amount &lt;= 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fa" sourceRef="approve" targetRef="end_a" />
    <bpmn:sequenceFlow id="fb" sourceRef="pay" targetRef="end_b" />
  </bpmn:process>
</bpmn:definitions>`;

for (const backend of await backends()) {
  describe(`incidents and retry (${backend})`, () => {
    let s: TestServer;
    let supervisor: string;
    let agent: string;
    beforeAll(async () => {
      s = await startTestServer(backend);
      supervisor = await s.user('head', { roles: ['supervisor'] });
      agent = await s.user('desk-agent', { teams: ['desk'] });
      expect((await s.deploy(FLOW)).status).toBe(201);
    });
    afterAll(async () => {
      await s?.close();
    });

    const startStuck = async () => {
      const r = await s.api('POST', '/api/instances', { token: agent, body: { processKey: 'refund', variables: {} } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const inst = await s.api('GET', `/api/instances/${r.body.id}`, { token: supervisor });
      expect(inst.body.incidents).toHaveLength(1);
      expect(inst.body.incidents[0]).toMatchObject({ nodeId: 'amount_check', code: 'LD_NO_FLOW_TAKEN' });
      return { id: r.body.id as string, incidentId: inst.body.incidents[0].id as string };
    };

    it('R35: a stuck case is listed, retried without a fix it fails again, with the fix it moves on', async () => {
      const { id, incidentId } = await startStuck();
      const listed = await s.api('GET', '/api/incidents', { token: supervisor });
      expect(listed.body.map((i: { id: string }) => i.id)).toContain(incidentId);
      expect((await s.api('GET', '/api/incidents', { token: agent })).status).toBe(403);
      expect((await s.api('POST', `/api/instances/${id}/incidents/${incidentId}/retry`, { token: agent, body: {} })).status).toBe(403);

      const again = await s.api('POST', `/api/instances/${id}/incidents/${incidentId}/retry`, { token: supervisor, body: {} });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.body.retried).toBe(1);
      expect(again.body.openIncidents).toHaveLength(1);
      const second = again.body.openIncidents[0];
      expect(second.id).not.toBe(incidentId);
      expect(second).toMatchObject({ nodeId: 'amount_check', code: 'LD_NO_FLOW_TAKEN', resolvedAt: null });

      const fixed = await s.api('POST', `/api/instances/${id}/incidents/${second.id}/retry`, { token: supervisor, body: { variables: { amount: 150 } } });
      expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
      expect(fixed.body.openIncidents).toEqual([]);
      const inst = await s.api('GET', `/api/instances/${id}`, { token: supervisor });
      expect(inst.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toEqual(['approve']);
      expect(inst.body.variables.amount).toBe(150);
      // Each attempt is in the history: two failed visits of the gateway, then the one that passed.
      const gateway = inst.body.history.filter((v: { nodeId: string }) => v.nodeId === 'amount_check');
      expect(gateway.map((v: { outcome: string }) => v.outcome)).toEqual(['error', 'error', 'completed']);
      const all = await s.api('GET', `/api/incidents?instanceId=${id}&open=false`, { token: supervisor });
      expect(all.body).toHaveLength(2);
      expect(all.body.every((i: { resolvedBy: string }) => i.resolvedBy === 'head')).toBe(true);

      // A resolved incident is not retried twice.
      const stale = await s.api('POST', `/api/instances/${id}/incidents/${incidentId}/retry`, { token: supervisor, body: {} });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('LD_INCIDENT_RESOLVED');
    });

    it('R40: two retries at once run the node once', async () => {
      const { id, incidentId } = await startStuck();
      const results = await Promise.all(
        [1, 2].map(() => s.api('POST', `/api/instances/${id}/incidents/${incidentId}/retry`, { token: supervisor, body: { variables: { amount: 50 } } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const inst = await s.api('GET', `/api/instances/${id}`, { token: supervisor });
      expect(inst.body.openTasks.map((t: { nodeId: string }) => t.nodeId)).toEqual(['pay']);
      expect(inst.body.history.filter((v: { nodeId: string }) => v.nodeId === 'pay')).toHaveLength(1);
    });

    it('R35: bad retry input is a 4xx naming the field', async () => {
      const { id, incidentId } = await startStuck();
      const bad = await s.api('POST', `/api/instances/${id}/incidents/${incidentId}/retry`, { token: supervisor, body: { variables: { 'no spaces': 1 } } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toMatch(/^\/body\/variables/);
      expect((await s.api('POST', `/api/instances/${id}/incidents/nope/retry`, { token: supervisor, body: {} })).status).toBe(404);
    });
  });
}
