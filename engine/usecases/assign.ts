/**
 * Smart dispatch at task creation (R11, R12): a user task whose node carries `loopdesk:dispatch`
 * gets its assignee from the strategy (round-robin, least-loaded, skills + location); one that
 * finds nobody stays in its group queue and the head is told. Runs in the step's transaction, before
 * the task rows are written, one task at a time so each sees the load of the previous.
 */
import type { Execution } from '../bpmn/Execution.ts';
import type { ProcessGraph } from '../bpmn/model.ts';
import { resolveValue } from '../core/feel.ts';
import { resolveAssignment } from '../dispatch/resolve.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, calendarOf } from './context.ts';

export async function assignCreatedTasks(ctx: EngineContext, tx: Tx, graph: ProcessGraph, exec: Execution, now: number, businessKey: string | null) {
  for (const task of exec.effects.tasksCreated) {
    const dispatch = graph.nodes[task.nodeId]?.loopdesk?.dispatch;
    if (!dispatch || task.assignee) continue;
    const location = dispatch.location ? resolveValue(dispatch.location, exec.variables) : null;
    const outcome = await resolveAssignment(tx, {
      strategy: dispatch.strategy,
      groups: task.candidateGroups,
      skills: dispatch.skills,
      location: typeof location === 'string' ? location : null,
      now,
      calendar: calendarOf(ctx, graph),
      notify: { instanceId: exec.ctx.instanceId, taskId: task.id, taskName: task.name, businessKey },
    });
    task.assignee = outcome.assignee;
  }
}
