/**
 * People's work: listing the tasks a user may see, claiming, completing. A user sees and may claim
 * the open tasks of their teams and departments (candidate groups) and their own; supervisors and
 * admins see all. Completing is exactly-once: the task row's state guard decides the race.
 */
import { LoopdeskError, conflict, forbidden, notFound } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { loadInstance } from '../store/instances.ts';
import { type EngineContext, type Principal, command, isSupervisor } from './context.ts';
import type { FormLang } from '../forms/index.ts';
import { formValidator, formVariable, maskForViewer } from './forms.ts';
import { runStep } from './step.ts';

export interface TaskView {
  id: string;
  instanceId: string;
  processKey: string;
  nodeId: string;
  name: string | null;
  formId: string | null;
  formVersion: number | null;
  state: 'open' | 'completed' | 'cancelled';
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  input: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
  createdAt: number;
  dueAt: number | null;
  followUpAt: number | null;
  claimedAt: number | null;
  completedAt: number | null;
  completedBy: string | null;
  /** When the case's nearest running SLA clock breaches (list views only). */
  slaDueAt?: number | null;
}

function toTask(r: Record<string, unknown>): TaskView {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    processKey: r.process_key as string,
    nodeId: r.node_id as string,
    name: (r.name as string | null) ?? null,
    formId: (r.form_id as string | null) ?? null,
    formVersion: (r.form_version as number | null) ?? null,
    state: r.state as TaskView['state'],
    assignee: (r.assignee as string | null) ?? null,
    candidateGroups: JSON.parse(r.candidate_groups as string),
    candidateUsers: JSON.parse(r.candidate_users as string),
    input: r.input ? JSON.parse(r.input as string) : null,
    data: r.data ? JSON.parse(r.data as string) : null,
    createdAt: r.created_at as number,
    dueAt: (r.due_at as number | null) ?? null,
    followUpAt: (r.follow_up_at as number | null) ?? null,
    claimedAt: (r.claimed_at as number | null) ?? null,
    completedAt: (r.completed_at as number | null) ?? null,
    completedBy: (r.completed_by as string | null) ?? null,
    ...(r.sla_due_at === undefined ? {} : { slaDueAt: r.sla_due_at === null ? null : Number(r.sla_due_at) }),
  };
}

export async function listTasksOfInstance(tx: Tx, instanceId: string): Promise<TaskView[]> {
  return (await tx.all('SELECT * FROM tasks WHERE instance_id = ? ORDER BY created_at, id', [instanceId])).map(toTask);
}

const groupsOf = (p: Principal) => [...new Set([...p.teams, ...p.departments])];

/** May this user act on the task: its assignee, a candidate, or a supervisor/admin. */
function isCandidate(task: TaskView, who: Principal): boolean {
  if (task.assignee === who.username || task.candidateUsers.includes(who.username)) return true;
  const groups = groupsOf(who);
  return task.candidateGroups.some((g) => groups.includes(g));
}

export function mayAct(task: TaskView, who: Principal): boolean {
  return isSupervisor(who) || isCandidate(task, who);
}

/** The soonest due time among the running SLA clocks of the task's instance. */
const SLA_DUE = "(SELECT MIN(c.due_at) FROM sla_clocks c WHERE c.instance_id = t.instance_id AND c.segment_start IS NOT NULL AND c.stopped_at IS NULL AND c.breached_at IS NULL)";

export interface TaskFilter {
  /** `timeToBreach`: soonest SLA breach first. */
  sort?: 'created' | 'timeToBreach';
  /** Only tasks whose case breaches an SLA within this many ms (negative: already overdue by). */
  breachWithinMs?: number;
  state?: 'open' | 'completed' | 'cancelled';
  assignee?: string;
  candidateGroup?: string;
  processKey?: string;
  instanceId?: string;
  limit: number;
  offset: number;
}

export async function listTasks(ctx: EngineContext, filter: TaskFilter, who: Principal): Promise<{ items: TaskView[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.state) add('t.state = ?', filter.state);
  if (filter.assignee) add('t.assignee = ?', filter.assignee);
  if (filter.processKey) add('t.process_key = ?', filter.processKey);
  if (filter.instanceId) add('t.instance_id = ?', filter.instanceId);
  if (filter.candidateGroup) add("EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.kind = 'group' AND c.name = ?)", filter.candidateGroup);
  if (!isSupervisor(who)) {
    const groups = groupsOf(who);
    const groupSql = groups.length
      ? ` OR EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.kind = 'group' AND c.name IN (${groups.map(() => '?').join(', ')}))`
      : '';
    add(
      `(t.assignee = ? OR EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.kind = 'user' AND c.name = ?)${groupSql})`,
      who.username,
      who.username,
      ...groups,
    );
  }
  if (filter.breachWithinMs !== undefined) {
    add(`${SLA_DUE} <= ?`, ctx.clock.now() + filter.breachWithinMs);
  }
  const whereAll = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // Soonest breach first; tasks of instances without a running clock come last, oldest first.
  const order = filter.sort === 'timeToBreach' ? `CASE WHEN ${SLA_DUE} IS NULL THEN 1 ELSE 0 END, ${SLA_DUE}, t.created_at, t.id` : 't.created_at, t.id';
  const rows = await ctx.db.all(
    `SELECT t.*, ${SLA_DUE} AS sla_due_at FROM tasks t ${whereAll} ORDER BY ${order} LIMIT ${Math.floor(filter.limit)} OFFSET ${Math.floor(filter.offset)}`,
    params,
  );
  const count = await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks t ${whereAll}`, params);
  return { items: await maskForViewer(ctx.db, rows.map(toTask), who), total: Number(count?.n ?? 0) };
}

/** `lock` row-locks the task on PostgreSQL so a racing completion reads it only after the winner commits. */
async function loadTask(tx: Tx, id: string, lock = false): Promise<TaskView | undefined> {
  const row = await tx.get(`SELECT * FROM tasks WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id]);
  return row && toTask(row);
}

export async function getTask(ctx: EngineContext, id: string, who: Principal): Promise<TaskView> {
  const task = await loadTask(ctx.db, id);
  // Not found rather than forbidden, so task ids of other teams cannot be probed.
  if (!task || !mayAct(task, who)) throw notFound('task', id);
  return (await maskForViewer(ctx.db, [task], who))[0]!;
}

function assertOpen(task: TaskView): void {
  if (task.state !== 'open') throw conflict('LD_TASK_ALREADY_COMPLETED', `task ${task.id} is already ${task.state}`);
}

export async function claimTask(ctx: EngineContext, id: string, who: Principal, requestId?: string): Promise<TaskView> {
  return command(ctx, async (tx, now) => {
    const task = await loadTask(tx, id);
    if (!task || !mayAct(task, who)) throw notFound('task', id);
    assertOpen(task);
    if (task.assignee === who.username) return task;
    if (task.assignee) throw conflict('LD_TASK_CLAIMED', `task ${id} is claimed by ${task.assignee}`);
    const changed = await tx.run("UPDATE tasks SET assignee = ?, claimed_at = ? WHERE id = ? AND state = 'open' AND assignee IS NULL", [
      who.username,
      now,
      id,
    ]);
    if (changed !== 1) throw conflict('LD_TASK_CLAIMED', `task ${id} was claimed by someone else`);
    await audit(tx, now, {
      actor: who.username,
      action: 'task.claim',
      entityType: 'task',
      entityId: id,
      before: { assignee: null },
      after: { assignee: who.username },
      requestId,
    });
    return { ...task, assignee: who.username, claimedAt: now };
  });
}

export async function unclaimTask(ctx: EngineContext, id: string, who: Principal, requestId?: string): Promise<TaskView> {
  return command(ctx, async (tx, now) => {
    const task = await loadTask(tx, id);
    if (!task || !mayAct(task, who)) throw notFound('task', id);
    assertOpen(task);
    if (task.assignee !== who.username && !isSupervisor(who)) throw forbidden(`task ${id} is claimed by ${task.assignee ?? 'nobody'}`);
    await tx.run("UPDATE tasks SET assignee = NULL, claimed_at = NULL WHERE id = ? AND state = 'open'", [id]);
    await audit(tx, now, {
      actor: who.username,
      action: 'task.unclaim',
      entityType: 'task',
      entityId: id,
      before: { assignee: task.assignee },
      after: { assignee: null },
      requestId,
    });
    return { ...task, assignee: null, claimedAt: null };
  });
}

export async function completeTask(
  ctx: EngineContext,
  id: string,
  data: Record<string, unknown>,
  who: Principal,
  options: { requestId?: string; lang?: FormLang } = {},
): Promise<TaskView> {
  return command(ctx, async (tx, now) => {
    const task = await loadTask(tx, id, ctx.db.kind === 'postgresql');
    if (!task || !mayAct(task, who)) throw notFound('task', id);
    assertOpen(task);
    if (task.assignee && task.assignee !== who.username) {
      throw conflict('LD_TASK_CLAIMED', `task ${id} is claimed by ${task.assignee}`);
    }
    // A task with a form takes only data valid for its pinned form version, stored under the form's key.
    const variables = await formValidator(options.lang ?? 'en')(tx, task, data, who, now);
    const accepted = task.formId ? (variables[formVariable(task.formId)] as Record<string, unknown>) : data;
    const inst = await loadInstance(tx, task.instanceId);
    if (!inst || inst.state !== 'active') throw new LoopdeskError('LD_INSTANCE_NOT_ACTIVE', 409, `instance ${task.instanceId} is not active`);
    await runStep(ctx, tx, now, inst, who.username, (exec) => exec.completeTask(id, variables, who.username, accepted), {
      actor: who.username,
      action: 'task.complete',
      entityType: 'task',
      entityId: id,
      before: { state: 'open', assignee: task.assignee },
      after: { state: 'completed', data: accepted },
      requestId: options.requestId,
    });
    const done: TaskView = { ...task, state: 'completed', data: accepted, completedAt: now, completedBy: who.username, assignee: task.assignee ?? who.username };
    return (await maskForViewer(tx, [done], who))[0]!;
  });
}
