/**
 * Manual reassignment (R11): a supervisor or admin moves an open task to anyone active; the
 * current assignee may hand it over to a colleague who could work on it anyway (a member of its
 * candidate groups or a candidate user). A reason is required, and the change is audited with
 * before/after assignee and the reason in the same transaction.
 */
import { findUserByName } from '../auth/users.ts';
import { LoopdeskError, RevisionConflict, conflict, forbidden, notFound } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { type TaskView, getTask } from '../usecases/tasks.ts';
import { absentAt } from './org.ts';
import { recordAssignment } from './resolve.ts';

export interface Reassignment {
  id: string;
  assignee: string;
  previousAssignee: string | null;
  reason: string;
  reassignedAt: number;
  reassignedBy: string;
}

const invalid = (code: string, status: number, path: string, message: string) => new LoopdeskError(code, status, message, [{ path, message }]);

function couldWorkOn(task: TaskView, user: { username: string; teams: string[]; departments: string[] }): boolean {
  if (task.candidateUsers.includes(user.username)) return true;
  return task.candidateGroups.some((g) => user.teams.includes(g) || user.departments.includes(g));
}

/**
 * Moves task `taskId` to `toUsername`. 404 when the actor may not see the task (as everywhere for
 * tasks, so ids cannot be probed), 403 when they see it but neither supervise nor hold it, 409 when
 * it is no longer open, 422 for an unknown, inactive or absent target. Reassigning to the current
 * assignee changes nothing and writes no audit row.
 */
export async function reassignTask(
  ctx: EngineContext,
  taskId: string,
  toUsername: string,
  reason: string,
  actor: Principal,
  requestId?: string,
): Promise<Reassignment> {
  const why = reason.trim();
  if (!why) throw invalid('LD_VALIDATION', 400, '/body/reason', 'a reason is required to reassign a task');
  const task = await getTask(ctx, taskId, actor);
  const supervisor = isSupervisor(actor);
  if (!supervisor && task.assignee !== actor.username) {
    throw forbidden(`only a supervisor or the current assignee may reassign task ${taskId}`);
  }
  return command(ctx, async (tx, now) => {
    const row = await tx.get<{ state: string; assignee: string | null }>('SELECT state, assignee FROM tasks WHERE id = ?', [taskId]);
    if (!row) throw notFound('task', taskId);
    if (row.state !== 'open') throw conflict('LD_TASK_ALREADY_COMPLETED', `task ${taskId} is already ${row.state}`);
    const before = row.assignee ?? null;
    if (!supervisor && before !== actor.username) throw forbidden(`task ${taskId} is no longer yours to hand over`);
    const target = await findUserByName(tx, toUsername);
    if (!target?.active) throw invalid('LD_DISPATCH_UNKNOWN_ASSIGNEE', 422, '/body/assignee', `user ${toUsername} does not exist or is inactive`);
    if (!supervisor && !couldWorkOn(task, target)) {
      throw invalid(
        'LD_DISPATCH_NOT_CANDIDATE',
        422,
        '/body/assignee',
        `${toUsername} is not in the task's groups (${task.candidateGroups.join(', ') || 'none'}); a supervisor can assign outside them`,
      );
    }
    if ((await absentAt(tx, [target.username], now)).has(target.username)) {
      throw invalid('LD_DISPATCH_ASSIGNEE_ABSENT', 422, '/body/assignee', `${toUsername} is absent now`);
    }
    const result: Reassignment = { id: taskId, assignee: target.username, previousAssignee: before, reason: why, reassignedAt: now, reassignedBy: actor.username };
    if (before === target.username) return result;
    const changed = before
      ? await tx.run("UPDATE tasks SET assignee = ?, claimed_at = ? WHERE id = ? AND state = 'open' AND assignee = ?", [target.username, now, taskId, before])
      : await tx.run("UPDATE tasks SET assignee = ?, claimed_at = ? WHERE id = ? AND state = 'open' AND assignee IS NULL", [target.username, now, taskId]);
    // Claimed, completed or reassigned since the read: run again on fresh data.
    if (changed !== 1) throw new RevisionConflict(`task ${taskId} changed during reassignment`);
    await recordAssignment(tx, target.username, now);
    await audit(tx, now, {
      actor: actor.username,
      action: 'task.reassign',
      entityType: 'task',
      entityId: taskId,
      before: { assignee: before },
      after: { assignee: target.username, reason: why },
      requestId,
    });
    return result;
  });
}
