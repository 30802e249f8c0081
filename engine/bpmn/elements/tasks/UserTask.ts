import { newId } from '../../../core/ids.ts';
import { DateTime } from 'luxon';
import { IncidentSignal } from '../../Execution.ts';
import { resolveValue } from '../../../core/feel.ts';
import type { Behaviour } from '../Behaviour.ts';

function asList(value: string[] | string | undefined, variables: Record<string, unknown>): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  const resolved = resolveValue(value, variables);
  if (Array.isArray(resolved)) return resolved.map(String);
  if (typeof resolved === 'string') return resolved.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** A due date is an ISO date-time, or a duration from now (`PT4H`), literal or FEEL. */
function resolveWhen(value: string | undefined, now: number, variables: Record<string, unknown>, add: (s: number, d: string) => number) {
  if (!value) return null;
  const text = String(resolveValue(value, variables) ?? '');
  if (!text) return null;
  if (/^P/i.test(text)) return add(now, text);
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

/** Creates a task for people; the token waits until someone completes it. */
export const UserTask: Behaviour = {
  enter(exec, token, node) {
    const vars = exec.variables;
    const a = node.assignment ?? {};
    let assignee: string | null = null;
    let input: Record<string, unknown> | null = null;
    try {
      const resolved = a.assignee ? resolveValue(a.assignee, vars) : null;
      assignee = resolved === null || resolved === undefined || resolved === '' ? null : String(resolved);
      input = node.inputs?.length ? exec.evaluateMappings(node.inputs, vars) : null;
    } catch (err) {
      throw new IncidentSignal(node.id, 'LD_FEEL_ERROR', (err as Error).message);
    }
    const id = newId();
    exec.effects.tasksCreated.push({
      id,
      nodeId: node.id,
      tokenId: token.id,
      name: node.name ?? null,
      formId: node.formId ?? null,
      assignee,
      candidateGroups: asList(a.candidateGroups, vars),
      candidateUsers: asList(a.candidateUsers, vars),
      input,
      createdAt: exec.ctx.now,
      dueAt: resolveWhen(node.schedule?.dueDate, exec.ctx.now, vars, exec.ctx.addDuration),
      followUpAt: resolveWhen(node.schedule?.followUpDate, exec.ctx.now, vars, exec.ctx.addDuration),
    });
    token.taskId = id;
    exec.wait(token, 'task');
    exec.armBoundaryEvents(token, node);
  },
};
