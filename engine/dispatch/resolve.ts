/**
 * Choosing the assignee of a new user task inside the step's transaction (R11, R12): load the
 * candidates of the task's groups with their open load, absences and last assignment, apply the
 * strategy (strategies.ts), remember the choice for round-robin, and when a strategy finds nobody
 * leave the task in the group queue and tell the group's head.
 *
 * Call it just before inserting the task row, once per task: a second task created in the same
 * step then sees the first one in its load. It never throws because nobody fits — only when the
 * database does.
 */
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import type { Tx } from '../store/db.ts';
import { type MemberState, activeMemberWithState, inList, membersWithState } from './members.ts';
import { headOf } from './org.ts';
import { type Candidate, type FallbackCode, chooseAssignee, isStrategy, urgencyWeight } from './strategies.ts';

export interface ResolveInput {
  /** explicit | group | round-robin | least-loaded | skills (from `loopdesk:dispatch`); anything else queues. */
  strategy: string;
  /** The task's candidate groups (teams or departments), already resolved from FEEL. */
  groups: readonly string[];
  /** `explicit`: the user the model names, already resolved from FEEL. */
  assignee?: string | null;
  skills?: readonly string[];
  /** The customer's region (case data), preferred by `skills`. */
  location?: string | null;
  /**
   * The new task's urgency. It does not change who is chosen — every strategy already picks the
   * least burdened eligible agent — and is echoed as `weight` for callers that keep weighted loads.
   */
  urgency?: string | null;
  now: number;
  /** Working hours: outside them nobody is available and the task waits in the queue. */
  calendar?: BusinessCalendar;
  /**
   * Urgency of open tasks by task id. The tasks table has no urgency column, so load is a plain
   * count of open tasks unless the caller knows urgencies and passes them; then each open task
   * weighs URGENCY_WEIGHT (urgent 3, normal 1, low 0.5) and unlisted ones count as normal.
   */
  urgencyOf?: ReadonlyMap<string, string>;
  /** When given, a fallback queues an in-app notification to the head in this transaction. */
  notify?: { instanceId: string | null; taskId?: string | null; taskName?: string | null; businessKey?: string | null };
}

export type AssignmentCode = 'assigned' | FallbackCode | 'no-groups';

export interface AssignmentOutcome {
  /** Who gets the task; null when it waits in `group`'s queue to be claimed. */
  assignee: string | null;
  /** For people and the audit trail: why this agent, or why nobody. */
  reason: string;
  code: AssignmentCode;
  /** The queue the task waits in when nobody was chosen (the first candidate group), else null. */
  group: string | null;
  /**
   * A strategy that should have found someone found nobody (not `group`, which queues by design):
   * the head answers for the task until someone claims it (R12).
   */
  fallback: boolean;
  head: string | null;
  /** An in-app notification to the head was queued in the outbox. */
  notified: boolean;
  /** URGENCY_WEIGHT of the new task. */
  weight: number;
}

/** Urgency-weighted open load per assignee: one query on the (state, assignee) index, then the weights. */
async function weightedLoads(tx: Tx, usernames: readonly string[], urgencyOf: ReadonlyMap<string, string>): Promise<Map<string, number>> {
  const loads = new Map<string, number>();
  if (usernames.length === 0) return loads;
  const list = inList(usernames);
  const rows = await tx.all<{ assignee: string; id: string }>(`SELECT assignee, id FROM tasks WHERE state = 'open' AND assignee IN ${list.sql}`, list.params);
  for (const r of rows) loads.set(r.assignee, (loads.get(r.assignee) ?? 0) + urgencyWeight(urgencyOf.get(r.id)));
  return loads;
}

/** Candidates as the strategies see them, at `now`. */
export async function toCandidates(
  tx: Tx,
  members: readonly MemberState[],
  now: number,
  options: { calendar?: BusinessCalendar; urgencyOf?: ReadonlyMap<string, string> } = {},
): Promise<Candidate[]> {
  const weighted = options.urgencyOf ? await weightedLoads(tx, members.map((m) => m.username), options.urgencyOf) : undefined;
  // One calendar for the task's team: outside its hours nobody is available (see README).
  const available = options.calendar ? options.calendar.isWorkingTime(new Date(now)) : true;
  return members.map((m) => ({
    username: m.username,
    skills: m.skills,
    location: m.location,
    absent: m.absent,
    available,
    openLoad: weighted ? (weighted.get(m.username) ?? 0) : m.openTasks,
    lastAssignedAt: m.lastAssignedAt,
  }));
}

/** Remembers that `username` was given a task at `now` (round-robin's order). */
export async function recordAssignment(tx: Tx, username: string, now: number): Promise<void> {
  await tx.run(
    `INSERT INTO dispatch_agents (username, last_assigned_at, assigned_count) VALUES (?, ?, 1)
     ON CONFLICT (username) DO UPDATE SET last_assigned_at = excluded.last_assigned_at, assigned_count = dispatch_agents.assigned_count + 1`,
    [username, now],
  );
}

async function firstHead(tx: Tx, groups: readonly string[]): Promise<string | null> {
  for (const g of groups) {
    const head = await headOf(tx, g);
    if (head) return head;
  }
  return null;
}

/** An in-app notification to the head, through engine/notifications (same transaction, delivered after commit). */
async function notifyHead(tx: Tx, now: number, head: string, outcome: AssignmentOutcome, about: NonNullable<ResolveInput['notify']>): Promise<void> {
  const task = about.taskName ?? about.taskId ?? 'a task';
  await enqueueNotification(
    tx,
    {
      to: `user:${head}`,
      // The generic template until a dedicated one (e.g. task-unassigned) is added to definitions/notifications.
      template: 'message',
      channel: 'in-app',
      instanceId: about.instanceId,
      businessKey: about.businessKey ?? null,
      fields: {
        subject: `任务待认领 / Task waiting in the ${outcome.group} queue: ${task}`,
        message: `自动分配未找到处理人，任务在 ${outcome.group} 队列等待认领。\nNobody could be assigned ${task}${about.businessKey ? ` (case ${about.businessKey})` : ''}: ${outcome.reason}. It waits in the ${outcome.group} queue to be claimed or reassigned.`,
        group: outcome.group,
        reason: outcome.reason,
        code: outcome.code,
        taskId: about.taskId ?? null,
      },
    },
    now,
  );
}

/**
 * The assignee for a new task, or the group queue with the reason nobody was chosen. Reads the
 * members with their load, absences and last assignment in one statement (two with `urgencyOf`;
 * a fallback also looks up the head); writes one row: the chosen agent's last assignment, or on a
 * fallback with `notify` the head's notification.
 */
export async function resolveAssignment(tx: Tx, input: ResolveInput): Promise<AssignmentOutcome> {
  const groups = [...new Set(input.groups.map((g) => g.trim()).filter(Boolean))];
  const weight = urgencyWeight(input.urgency);
  const queue = groups[0] ?? null;
  const base = { group: queue, head: null, fallback: false, notified: false, weight };

  if (input.strategy === 'group') {
    const choice = chooseAssignee('group', {}, []);
    return { ...base, assignee: null, reason: choice.reason, code: 'queue' };
  }
  if (input.strategy !== 'explicit' && groups.length === 0) {
    return { ...base, assignee: null, reason: `strategy "${input.strategy}" needs candidate groups and the task names none`, code: 'no-groups' };
  }

  let members: MemberState[] = [];
  if (!isStrategy(input.strategy)) {
    // chooseAssignee answers unknown-strategy; no need to read anyone.
  } else if (input.strategy === 'explicit') {
    const named = input.assignee?.trim() ? await activeMemberWithState(tx, input.assignee.trim(), input.now) : undefined;
    members = named ? [named] : [];
  } else {
    members = await membersWithState(tx, groups, input.now);
  }
  const candidates = members.length ? await toCandidates(tx, members, input.now, input) : [];
  const choice = chooseAssignee(input.strategy, { assignee: input.assignee, skills: input.skills, location: input.location }, candidates);

  if ('assignee' in choice) {
    await recordAssignment(tx, choice.assignee, input.now);
    return { ...base, group: null, assignee: choice.assignee, reason: choice.reason, code: 'assigned' };
  }
  const outcome: AssignmentOutcome = { ...base, assignee: null, reason: choice.reason, code: choice.code, fallback: true };
  if (!queue) return outcome; // explicit without groups: nothing to wait in, nobody to tell
  outcome.head = await firstHead(tx, groups);
  if (outcome.head && input.notify) {
    await notifyHead(tx, input.now, outcome.head, outcome, input.notify);
    outcome.notified = true;
  }
  return outcome;
}
