/**
 * SLA clocks (R5–R9): after every step, the clocks of the instance's policy start, stop, pause and
 * resume according to the nodes its tokens entered and left; warnings, breaches and customer delay
 * notices are durable jobs (kind `sla`) that fire exactly once like timers and queue notifications.
 */
import { Ajv } from 'ajv';
import { DateTime, Duration } from 'luxon';
import { type SlaClockDefinition, type SlaPolicy, slaPolicySchema } from '../../schemas/sla-policy.schema.ts';
import type { Execution } from '../bpmn/Execution.ts';
import type { ProcessGraph } from '../bpmn/model.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { FeelError, evaluateCondition } from '../core/feel.ts';
import { newId } from '../core/ids.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import { type ClockState, dueAt, elapsed, targetMs, warnAt } from '../sla/clockMath.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { storedDefinition, writeDefinition } from '../store/keyedDefinitions.ts';
import type { InstanceRecord } from '../store/instances.ts';
import { slaBreaches } from '../observability/metrics.ts';
import { type EngineContext, type Principal, afterCommit, calendarOf, command } from './context.ts';

export type ClockStatus = 'running' | 'paused' | 'met' | 'breached';

interface ClockRowDb {
  id: string;
  instance_id: string;
  clock_key: string;
  policy_key: string;
  state: ClockStatus;
  target_ms: number;
  working_time: number;
  calendar: string | null;
  started_at: number;
  segment_start: number | null;
  accumulated_ms: number;
  due_at: number | null;
  warn_at: number | null;
  warned_at: number | null;
  breached_at: number | null;
  stopped_at: number | null;
}

const policyValidator = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(slaPolicySchema);

/** Checks a policy against its schema and that every FEEL condition parses. 422 with pointers otherwise. */
export function checkPolicy(input: unknown): SlaPolicy {
  if (!policyValidator(input)) {
    throw new LoopdeskError(
      'LD_SLA_POLICY_INVALID',
      422,
      'the SLA policy is invalid',
      (policyValidator.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })),
    );
  }
  const policy = input as SlaPolicy;
  const errors: { path: string; message: string }[] = [];
  policy.clocks.forEach((c, i) => {
    const feel = [...c.targets.map((t, j) => [`/clocks/${i}/targets/${j}/when`, t.when] as const), [`/clocks/${i}/pause/when`, c.pause?.when] as const];
    for (const [path, expr] of feel) {
      if (!expr) continue;
      try {
        evaluateCondition(expr, {});
      } catch (err) {
        errors.push({ path, message: (err as Error).message });
      }
    }
  });
  if (errors.length) throw new LoopdeskError('LD_SLA_POLICY_INVALID', 422, 'the SLA policy has invalid FEEL conditions', errors);
  return policy;
}

const policyCache = new Map<string, { at: number; policy: SlaPolicy | null }>();
const POLICY_TTL_MS = 30_000;

async function loadPolicy(tx: Tx, key: string, now: number): Promise<SlaPolicy | null> {
  const hit = policyCache.get(key);
  if (hit && now - hit.at < POLICY_TTL_MS && now >= hit.at) return hit.policy;
  const row = await tx.get<{ definition: string }>('SELECT definition FROM sla_policies WHERE key = ?', [key]);
  const policy = row ? (JSON.parse(row.definition) as SlaPolicy) : null;
  policyCache.set(key, { at: now, policy });
  return policy;
}

export async function savePolicy(ctx: EngineContext, input: unknown, actor: Principal, requestId?: string) {
  const policy = checkPolicy(input);
  return command(ctx, async (tx, now) => {
    const existing = await storedDefinition(tx, 'sla_policies', policy.key);
    const outcome = await writeDefinition(tx, now, {
      table: 'sla_policies',
      entityType: 'sla-policy',
      key: policy.key,
      definition: policy,
      existing,
      actor: actor.username,
      requestId,
    });
    if (outcome !== 'unchanged') policyCache.delete(policy.key);
    return { created: outcome === 'created', policy };
  });
}

export async function listPolicies(ctx: EngineContext): Promise<SlaPolicy[]> {
  return (await ctx.db.all<{ definition: string }>('SELECT definition FROM sla_policies ORDER BY key')).map((r) => JSON.parse(r.definition));
}

const toState = (r: ClockRowDb): ClockState => ({
  targetMs: Number(r.target_ms),
  workingTime: Number(r.working_time) === 1,
  accumulatedMs: Number(r.accumulated_ms),
  segmentStart: r.segment_start === null ? null : Number(r.segment_start),
});

const isActive = (r: ClockRowDb) => r.state === 'running' || r.state === 'paused' || (r.state === 'breached' && r.stopped_at === null);

function chooseTarget(def: SlaClockDefinition, variables: Record<string, unknown>) {
  return def.targets.find((t) => {
    if (!t.when) return true;
    try {
      return evaluateCondition(t.when, variables);
    } catch (err) {
      if (err instanceof FeelError) return false;
      throw err;
    }
  });
}

function shouldPause(def: SlaClockDefinition, exec: Execution): boolean {
  if (def.pause?.nodes?.length && exec.state.tokens.some((t) => def.pause!.nodes!.includes(t.nodeId) && t.wait !== undefined)) return true;
  if (def.pause?.when) {
    try {
      return evaluateCondition(def.pause.when, exec.variables);
    } catch {
      return false;
    }
  }
  return false;
}

function triggered(event: SlaClockDefinition['start'], step: StepFacts): boolean {
  switch (event.on) {
    case 'instanceStart':
      return step.isNew;
    case 'instanceEnd':
      return step.ended;
    case 'enter':
      return (event.nodes ?? []).some((n) => step.entered.has(n));
    case 'leave':
      return (event.nodes ?? []).some((n) => step.left.has(n));
  }
}

interface StepFacts {
  isNew: boolean;
  ended: boolean;
  entered: Set<string>;
  left: Set<string>;
}

/** Schedules the clock's warn, breach and customer-notice jobs; removes the old ones first. */
async function scheduleJobs(tx: Tx, instanceId: string, row: ClockRowDb, def: SlaClockDefinition, cal: BusinessCalendar | undefined) {
  await tx.run("DELETE FROM jobs WHERE kind = 'sla' AND instance_id = ? AND node_id = ?", [instanceId, row.id]);
  const state = toState(row);
  const due = dueAt(state, cal);
  const warn = row.warned_at === null ? warnAt(state, def.warnAt ?? 0.8, cal) : null;
  row.due_at = due;
  row.warn_at = warn;
  const jobs: [string, number | null][] = [];
  if (row.breached_at === null) jobs.push(['breach', due], ['warn', warn]);
  if (def.notify?.customerNoticeBefore && due !== null && row.breached_at === null) {
    jobs.push(['customer-notice', due - Duration.fromISO(def.notify.customerNoticeBefore).as('milliseconds')]);
  }
  for (const [event, at] of jobs) {
    if (at === null) continue;
    await tx.run("INSERT INTO jobs (id, instance_id, kind, node_id, token_id, due_at, payload, attempts) VALUES (?, ?, 'sla', ?, 0, ?, ?, 0)", [
      newId(),
      instanceId,
      row.id,
      at,
      JSON.stringify({ event, clockKey: row.clock_key }),
    ]);
  }
}

async function writeClock(tx: Tx, r: ClockRowDb, insert: boolean): Promise<void> {
  const cols = [r.state, r.target_ms, r.working_time, r.calendar, r.started_at, r.segment_start, r.accumulated_ms, r.due_at, r.warn_at, r.warned_at, r.breached_at, r.stopped_at];
  if (insert) {
    await tx.run(
      `INSERT INTO sla_clocks (id, instance_id, clock_key, policy_key, state, target_ms, working_time, calendar, started_at, segment_start, accumulated_ms, due_at, warn_at, warned_at, breached_at, stopped_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, r.instance_id, r.clock_key, r.policy_key, ...cols],
    );
  } else {
    await tx.run(
      `UPDATE sla_clocks SET state = ?, target_ms = ?, working_time = ?, calendar = ?, started_at = ?, segment_start = ?, accumulated_ms = ?, due_at = ?, warn_at = ?, warned_at = ?, breached_at = ?, stopped_at = ? WHERE id = ?`,
      [...cols, r.id],
    );
  }
}

/**
 * Moves the instance's clocks after a step. Called inside the step's transaction, so clock
 * changes commit (or roll back) together with the step that caused them.
 */
export async function applySla(ctx: EngineContext, tx: Tx, graph: ProcessGraph, inst: InstanceRecord, exec: Execution, now: number, isNew: boolean) {
  const key = graph.loopdesk?.slaPolicy;
  if (!key) return;
  const policy = await loadPolicy(tx, key, now);
  if (!policy) return;
  const cal = calendarOf(ctx, graph, policy.calendar);
  const facts: StepFacts = {
    isNew,
    ended: exec.ended !== null,
    entered: new Set(exec.effects.visitsInserted.map((v) => v.nodeId)),
    left: new Set([...exec.effects.visitsInserted.filter((v) => v.leftAt !== null).map((v) => v.nodeId), ...exec.effects.visitsClosed.map((v) => v.nodeId)]),
  };
  const rows = isNew ? [] : await tx.all<ClockRowDb>('SELECT * FROM sla_clocks WHERE instance_id = ? ORDER BY started_at, id', [inst.id]);
  for (const def of policy.clocks) {
    let row = rows.filter((r) => r.clock_key === def.key && isActive(r)).at(-1);
    if (!row && triggered(def.start, facts)) {
      const target = chooseTarget(def, exec.variables);
      if (!target) continue;
      const working = target.workingTime === true;
      row = {
        id: newId(),
        instance_id: inst.id,
        clock_key: def.key,
        policy_key: policy.key,
        state: 'running',
        target_ms: Math.round(targetMs(target.duration, working, now, cal)),
        working_time: working ? 1 : 0,
        calendar: working ? (cal?.key ?? null) : null,
        started_at: now,
        segment_start: now,
        accumulated_ms: 0,
        due_at: null,
        warn_at: null,
        warned_at: null,
        breached_at: null,
        stopped_at: null,
      };
      if (shouldPause(def, exec)) pause(row, now, cal);
      else await scheduleJobs(tx, inst.id, row, def, cal);
      await writeClock(tx, row, true);
      continue;
    }
    if (!row) continue;
    if (triggered(def.stop, facts) || facts.ended) {
      if (row.segment_start !== null) row.accumulated_ms = elapsed(toState(row), now, cal);
      row.segment_start = null;
      row.stopped_at = now;
      row.state = row.breached_at !== null ? 'breached' : 'met';
      row.due_at = null;
      await tx.run("DELETE FROM jobs WHERE kind = 'sla' AND instance_id = ? AND node_id = ?", [inst.id, row.id]);
      await writeClock(tx, row, false);
      continue;
    }
    const pauseNow = shouldPause(def, exec);
    if (pauseNow && row.segment_start !== null) {
      pause(row, now, cal);
      await tx.run("DELETE FROM jobs WHERE kind = 'sla' AND instance_id = ? AND node_id = ?", [inst.id, row.id]);
      await writeClock(tx, row, false);
    } else if (!pauseNow && row.segment_start === null) {
      row.segment_start = now;
      row.state = row.breached_at !== null ? 'breached' : 'running';
      await scheduleJobs(tx, inst.id, row, def, cal);
      await writeClock(tx, row, false);
    }
  }
}

function pause(row: ClockRowDb, now: number, cal: BusinessCalendar | undefined): void {
  if (row.segment_start !== null) row.accumulated_ms = elapsed(toState(row), now, cal);
  row.segment_start = null;
  row.state = 'paused';
  row.due_at = null;
  row.warn_at = null;
}

/** Recipients of an escalation, resolved now: the case's current assignees (or their groups). */
async function recipients(tx: Tx, instanceId: string, names: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  const open = names.some((n) => n === 'assignee' || n === 'department-head')
    ? await tx.all<{ id: string; assignee: string | null }>("SELECT id, assignee FROM tasks WHERE instance_id = ? AND state = 'open'", [instanceId])
    : [];
  for (const name of names) {
    if (name === 'assignee') {
      for (const t of open) {
        if (t.assignee) out.add(`user:${t.assignee}`);
        else for (const g of await tx.all<{ name: string }>("SELECT name FROM task_candidates WHERE task_id = ? AND kind = 'group'", [t.id])) out.add(`team:${g.name}`);
      }
    } else if (name === 'department-head') {
      for (const t of open) if (t.assignee) for (const head of await departmentHeads(tx, t.assignee)) out.add(`user:${head}`);
    } else out.add(name);
  }
  return [...out];
}

/** The supervisors of the departments the user belongs to: who hears of their breaches (R8). */
async function departmentHeads(tx: Tx, username: string): Promise<string[]> {
  const users = await tx.all<{ username: string; roles: string; departments: string }>('SELECT username, roles, departments FROM users WHERE active = 1');
  const mine = new Set<string>(JSON.parse(users.find((u) => u.username === username)?.departments ?? '[]'));
  return users
    .filter((u) => u.username !== username && JSON.parse(u.roles).includes('supervisor'))
    .filter((u) => (JSON.parse(u.departments) as string[]).some((d) => mine.has(d)))
    .map((u) => u.username);
}

/** Fires one SLA job: marks the warning or breach and queues its notifications. */
export async function fireSlaJob(tx: Tx, ctx: EngineContext, job: { instance_id: string; node_id: string; payload: string }, now: number): Promise<void> {
  const row = await tx.get<ClockRowDb>('SELECT * FROM sla_clocks WHERE id = ?', [job.node_id]);
  if (!row || row.segment_start === null || row.stopped_at !== null) return;
  const policy = await loadPolicy(tx, row.policy_key, now);
  const def = policy?.clocks.find((c) => c.key === row.clock_key);
  const { event } = JSON.parse(job.payload) as { event: 'warn' | 'breach' | 'customer-notice' };
  const inst = await tx.get<{ business_key: string | null; process_key: string }>(
    'SELECT business_key, process_key FROM instances WHERE id = ?',
    [row.instance_id],
  );
  const fields = {
    clock: row.clock_key,
    dueAt: row.due_at === null ? null : new Date(Number(row.due_at)).toISOString(),
    businessKey: inst?.business_key ?? null,
    processKey: inst?.process_key ?? null,
  };
  let to: string[] = [];
  let template = '';
  if (event === 'warn') {
    row.warned_at = now;
    to = await recipients(tx, row.instance_id, def?.notify?.warn ?? ['assignee']);
    template = 'sla-warning';
  } else if (event === 'breach') {
    row.breached_at = now;
    row.state = 'breached';
    afterCommit(tx, () => slaBreaches.inc({ clock: row.clock_key }));
    to = await recipients(tx, row.instance_id, def?.notify?.breach ?? ['assignee', 'department-head']);
    template = 'sla-breach';
  } else {
    to = ['customer'];
    template = 'delay-notice';
  }
  await writeClock(tx, row, false);
  for (const recipient of to) {
    await tx.run("INSERT INTO outbox (id, instance_id, kind, payload, created_at, state) VALUES (?, ?, 'notification', ?, ?, 'pending')", [
      newId(),
      row.instance_id,
      JSON.stringify({ to: recipient, template, channel: recipient === 'customer' ? 'email' : 'in-app', fields, instanceId: row.instance_id }),
      now,
    ]);
  }
  await audit(tx, now, {
    actor: 'system',
    action: `sla.${event}`,
    entityType: 'instance',
    entityId: row.instance_id,
    after: { clock: row.clock_key, dueAt: row.due_at, recipients: to },
  });
}

export interface ClockView {
  key: string;
  policy: string;
  state: ClockStatus;
  workingTime: boolean;
  calendar: string | null;
  targetMs: number;
  elapsedMs: number;
  remainingMs: number;
  startedAt: number;
  dueAt: number | null;
  breachedAt: number | null;
  stoppedAt: number | null;
}

/** The instance's clocks as of now: target, elapsed (working) time, remaining, state, breach time. */
export async function instanceClocks(ctx: EngineContext, tx: Tx, instanceId: string): Promise<ClockView[]> {
  const now = ctx.clock.now();
  const rows = await tx.all<ClockRowDb>('SELECT * FROM sla_clocks WHERE instance_id = ? ORDER BY started_at, id', [instanceId]);
  return rows.map((r) => {
    const cal = r.calendar ? ctx.calendars.get(r.calendar) : undefined;
    const spent = elapsed(toState(r), now, cal);
    return {
      key: r.clock_key,
      policy: r.policy_key,
      state: r.state,
      workingTime: Number(r.working_time) === 1,
      calendar: r.calendar,
      targetMs: Number(r.target_ms),
      elapsedMs: spent,
      remainingMs: Number(r.target_ms) - spent,
      startedAt: Number(r.started_at),
      dueAt: r.due_at === null ? null : Number(r.due_at),
      breachedAt: r.breached_at === null ? null : Number(r.breached_at),
      stoppedAt: r.stopped_at === null ? null : Number(r.stopped_at),
    };
  });
}

export async function getPolicy(ctx: EngineContext, key: string): Promise<SlaPolicy> {
  const row = await ctx.db.get<{ definition: string }>('SELECT definition FROM sla_policies WHERE key = ?', [key]);
  if (!row) throw notFound('SLA policy', key);
  return JSON.parse(row.definition);
}

/**
 * R7: a case that arrives outside working hours is promised contact within the policy's working
 * time; the concrete instant goes into a variable (shown to the customer) and an automatic reply
 * is queued. Runs before the new instance is written, so the promise is part of its first state.
 */
export async function promiseOffHours(ctx: EngineContext, tx: Tx, graph: ProcessGraph, instanceId: string, variables: Record<string, unknown>, now: number) {
  const key = graph.loopdesk?.slaPolicy;
  if (!key) return;
  const policy = await loadPolicy(tx, key, now);
  const reply = policy?.offHoursReply;
  const cal = policy ? calendarOf(ctx, graph, policy.calendar) : undefined;
  if (!reply || !cal || cal.isWorkingTime(new Date(now))) return;
  const promised = cal.addWallOrWorking(new Date(now), reply.within, { workingTime: true });
  const variable = reply.variable ?? 'promisedContactAt';
  variables[variable] = promised.toISOString();
  await tx.run("INSERT INTO outbox (id, instance_id, kind, payload, created_at, state) VALUES (?, ?, 'notification', ?, ?, 'pending')", [
    newId(),
    instanceId,
    JSON.stringify({
      to: reply.to ?? 'customer',
      template: reply.template ?? 'off-hours-reply',
      channel: 'email',
      fields: {
        promisedAt: promised.toISOString(),
        promisedLocal: DateTime.fromJSDate(promised, { zone: cal.timeZone }).toFormat('yyyy-MM-dd HH:mm'),
        timeZone: cal.timeZone,
      },
      instanceId,
    }),
    now,
  ]);
}
