/**
 * Incidents (R35, R40): a failing service task, a FEEL expression that cannot be evaluated, a
 * gateway without a flow to take or an uncaught BPMN error stop the token at its node with an
 * incident. Operators list them and retry once the cause is fixed — optionally setting variables
 * in the same step — which resolves the incident and runs the node again; a failure that persists
 * raises a new incident, so each attempt stays in the history.
 */
import { LoopdeskError, conflict, notFound } from '../core/errors.ts';
import { loadInstance } from '../store/instances.ts';
import { type EngineContext, type Principal, command } from './context.ts';
import { runStep } from './step.ts';

export interface IncidentView {
  id: string;
  instanceId: string;
  caseNumber: string | null;
  processKey: string;
  nodeId: string | null;
  code: string;
  message: string;
  createdAt: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
}

const COLUMNS = 'i.id, i.instance_id, s.case_number, s.process_key, i.node_id, i.code, i.message, i.created_at, i.resolved_at, i.resolved_by';

function toView(r: Record<string, unknown>): IncidentView {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    caseNumber: (r.case_number as string | null) ?? null,
    processKey: r.process_key as string,
    nodeId: (r.node_id as string | null) ?? null,
    code: r.code as string,
    message: r.message as string,
    createdAt: Number(r.created_at),
    resolvedAt: r.resolved_at === null || r.resolved_at === undefined ? null : Number(r.resolved_at),
    resolvedBy: (r.resolved_by as string | null) ?? null,
  };
}

/** Open incidents across instances (or an instance's, resolved ones included), newest first. */
export async function listIncidents(ctx: EngineContext, filter: { instanceId?: string; open?: boolean; limit?: number }): Promise<IncidentView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.instanceId) {
    where.push('i.instance_id = ?');
    params.push(filter.instanceId);
  }
  if (filter.open !== false) where.push('i.resolved_at IS NULL');
  const rows = await ctx.db.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM incidents i JOIN instances s ON s.id = i.instance_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.created_at DESC, i.id DESC LIMIT ?`,
    [...params, Math.min(filter.limit ?? 100, 500)],
  );
  return rows.map(toView);
}

/**
 * Retries the node of an open incident. `variables` (e.g. the missing value a condition needs) are
 * merged into the instance first, in the same step. Answers with the incidents that are open after
 * the retry: empty when the instance moved on.
 */
export async function retryIncident(
  ctx: EngineContext,
  instanceId: string,
  incidentId: string,
  variables: Record<string, unknown>,
  who: Principal,
  requestId?: string,
): Promise<{ retried: number; openIncidents: IncidentView[] }> {
  const retried = await command(ctx, async (tx, now) => {
    const incident = await tx.get<{ node_id: string | null; resolved_at: number | null }>(
      'SELECT node_id, resolved_at FROM incidents WHERE id = ? AND instance_id = ?',
      [incidentId, instanceId],
    );
    if (!incident) throw notFound('incident', incidentId);
    if (incident.resolved_at !== null) throw conflict('LD_INCIDENT_RESOLVED', `incident ${incidentId} is already resolved`);
    const inst = await loadInstance(tx, instanceId);
    if (!inst) throw notFound('instance', instanceId);
    if (inst.state !== 'active') throw conflict('LD_INSTANCE_NOT_ACTIVE', `instance ${instanceId} is not active`);
    const before = { variables: Object.fromEntries(Object.keys(variables).map((k) => [k, inst.variables[k] ?? null])) };
    Object.assign(inst.variables, variables);
    // The state guard makes a second, concurrent retry of the same incident a conflict.
    const resolved = await tx.run('UPDATE incidents SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL', [now, who.username, incidentId]);
    if (resolved !== 1) throw conflict('LD_INCIDENT_RESOLVED', `incident ${incidentId} is already resolved`);
    let count = 0;
    await runStep(
      ctx,
      tx,
      now,
      inst,
      who.username,
      (exec) => {
        count = exec.retryIncident(incident.node_id);
      },
      { actor: who.username, action: 'incident.retry', entityType: 'instance', entityId: instanceId, before, after: { incidentId, variables }, requestId },
    );
    if (count === 0) throw new LoopdeskError('LD_INCIDENT_NOT_WAITING', 409, `no token waits at ${incident.node_id ?? 'the process'} for incident ${incidentId}`);
    return count;
  });
  return { retried, openIncidents: await listIncidents(ctx, { instanceId }) };
}
