/**
 * Starting instances and reading them back with their open tasks and node history (R0c).
 */
import { newId } from '../core/ids.ts';
import { emptyState } from '../bpmn/state.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import type { Tx } from '../store/db.ts';
import { type InstanceRecord, loadInstance } from '../store/instances.ts';
import { type EngineContext, type Principal, command, isSupervisor } from './context.ts';
import { latestPublished } from './definitions.ts';
import { maskVariables } from './forms.ts';
import { runStep } from './step.ts';
import { type TaskView, listTasksOfInstance } from './tasks.ts';

export interface StartInput {
  processKey: string;
  variables?: Record<string, unknown>;
  businessKey?: string | null;
}

export interface InstanceSummary {
  id: string;
  processKey: string;
  version: number;
  businessKey: string | null;
  state: InstanceRecord['state'];
  startedAt: number;
  endedAt: number | null;
}

const summary = (i: InstanceRecord): InstanceSummary => ({
  id: i.id,
  processKey: i.processKey,
  version: i.version,
  businessKey: i.businessKey,
  state: i.state,
  startedAt: i.startedAt,
  endedAt: i.endedAt,
});

export async function startInstance(ctx: EngineContext, input: StartInput, actor: Principal, requestId?: string): Promise<InstanceSummary> {
  return command(ctx, async (tx, now) => {
    const def = await latestPublished(tx, input.processKey);
    if (!def) {
      throw new LoopdeskError('LD_PROCESS_NOT_PUBLISHED', 404, `process ${input.processKey} has no published version`);
    }
    const inst: InstanceRecord = {
      id: newId(),
      processKey: def.key,
      version: def.version,
      definitionId: def.id,
      businessKey: input.businessKey ?? null,
      state: 'active',
      variables: { ...(input.variables ?? {}) },
      execution: emptyState(),
      rev: 0,
      startedAt: now,
      endedAt: null,
      startedBy: actor.username,
    };
    await runStep(
      ctx,
      tx,
      now,
      inst,
      actor.username,
      (exec) => exec.start(),
      {
        actor: actor.username,
        action: 'instance.start',
        entityType: 'instance',
        entityId: inst.id,
        after: { processKey: inst.processKey, version: inst.version, businessKey: inst.businessKey, variables: input.variables ?? {} },
        requestId,
      },
      { isNew: true },
    );
    return summary(inst);
  });
}

export interface VisitView {
  nodeId: string;
  name: string | null;
  type: string;
  enteredAt: number;
  leftAt: number | null;
  durationMs: number | null;
  workingMs: number | null;
  completedBy: string | null;
  outcome: string | null;
}

export interface InstanceView extends InstanceSummary {
  variables: Record<string, unknown>;
  openTasks: TaskView[];
  history: VisitView[];
  incidents: { id: string; nodeId: string | null; code: string; message: string; createdAt: number }[];
}

export async function history(tx: Tx, instanceId: string): Promise<VisitView[]> {
  const rows = await tx.all<Record<string, unknown>>(
    'SELECT node_id, name, type, entered_at, left_at, duration_ms, working_ms, completed_by, outcome FROM node_visits WHERE instance_id = ? ORDER BY entered_at, left_at IS NULL, left_at, id',
    [instanceId],
  );
  return rows.map((r) => ({
    nodeId: r.node_id as string,
    name: (r.name as string | null) ?? null,
    type: r.type as string,
    enteredAt: r.entered_at as number,
    leftAt: (r.left_at as number | null) ?? null,
    durationMs: (r.duration_ms as number | null) ?? null,
    workingMs: (r.working_ms as number | null) ?? null,
    completedBy: (r.completed_by as string | null) ?? null,
    outcome: (r.outcome as string | null) ?? null,
  }));
}

/** Who may read an instance: supervisors and admins, whoever started it, and people with a task in it. */
async function mayRead(tx: Tx, inst: InstanceRecord, who: Principal, tasks: TaskView[]): Promise<boolean> {
  if (isSupervisor(who) || inst.startedBy === who.username) return true;
  if (tasks.some((t) => t.assignee === who.username || t.completedBy === who.username)) return true;
  const groups = [...who.teams, ...who.departments];
  if (tasks.some((t) => t.candidateGroups.some((g) => groups.includes(g)) || t.candidateUsers.includes(who.username))) return true;
  return false;
}

export async function getInstance(ctx: EngineContext, id: string, who: Principal): Promise<InstanceView> {
  return ctx.db.transaction(async (tx) => {
    const inst = await loadInstance(tx, id);
    if (!inst) throw notFound('instance', id);
    const tasks = await listTasksOfInstance(tx, id);
    // Not found rather than forbidden: an instance's existence is not for everyone to learn.
    if (!(await mayRead(tx, inst, who, tasks))) throw notFound('instance', id);
    const incidents = await tx.all<Record<string, unknown>>(
      'SELECT id, node_id, code, message, created_at FROM incidents WHERE instance_id = ? AND resolved_at IS NULL ORDER BY created_at',
      [id],
    );
    return {
      ...summary(inst),
      variables: await maskVariables(tx, id, inst.variables, who),
      openTasks: tasks.filter((t) => t.state === 'open'),
      history: await history(tx, id),
      incidents: incidents.map((r) => ({
        id: r.id as string,
        nodeId: (r.node_id as string | null) ?? null,
        code: r.code as string,
        message: r.message as string,
        createdAt: r.created_at as number,
      })),
    };
  });
}
