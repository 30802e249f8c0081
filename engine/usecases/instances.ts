/**
 * Starting instances and reading them back with their open tasks and node history (R0c).
 */
import { newId } from '../core/ids.ts';
import { emptyState } from '../bpmn/state.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import type { Tx } from '../store/db.ts';
import { type InstanceRecord, loadInstance } from '../store/instances.ts';
import type { FormLang } from '../forms/index.ts';
import { nextCaseNumber } from './caseNumbers.ts';
import { casesCompleted, casesStarted } from '../observability/metrics.ts';
import { type EngineContext, type Principal, afterCommit, calendarOf, command, isSupervisor } from './context.ts';
import { graphOf, versionToStart } from './definitions.ts';
import { formValidator, formVariable, maskVariables } from './forms.ts';
import { runStep } from './step.ts';
import { type TaskView, listTasksOfInstance } from './tasks.ts';

export interface StartInput {
  processKey: string;
  variables?: Record<string, unknown>;
  businessKey?: string | null;
  /** Data of the start event's form (the intake form of a case); validated like a task's. */
  data?: Record<string, unknown>;
}

export interface InstanceSummary {
  id: string;
  processKey: string;
  version: number;
  businessKey: string | null;
  caseNumber: string | null;
  customerId: string | null;
  state: InstanceRecord['state'];
  startedAt: number;
  endedAt: number | null;
  /** Case number of a likely duplicate (same customer and order within 7 days, R2): flagged, not blocked. */
  duplicateOf?: string | null;
}

const summary = (i: InstanceRecord): InstanceSummary => ({
  id: i.id,
  processKey: i.processKey,
  version: i.version,
  businessKey: i.businessKey,
  caseNumber: i.caseNumber,
  customerId: i.customerId,
  state: i.state,
  startedAt: i.startedAt,
  endedAt: i.endedAt,
});

const DUPLICATE_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** R2: an earlier case of the same customer about the same order, within the window. */
async function findDuplicate(tx: Tx, customerId: string, variable: string, orderNo: unknown, now: number): Promise<string | null> {
  if (typeof orderNo !== 'string' || !orderNo) return null;
  const recent = await tx.all<{ case_number: string | null; id: string; variables: string }>(
    'SELECT id, case_number, variables FROM instances WHERE customer_id = ? AND started_at >= ? ORDER BY started_at DESC',
    [customerId, now - DUPLICATE_WINDOW_MS],
  );
  for (const r of recent) {
    const data = (JSON.parse(r.variables) as Record<string, Record<string, unknown> | undefined>)[variable];
    if (data?.orderNo === orderNo) return r.case_number ?? r.id;
  }
  return null;
}

export async function startInstance(
  ctx: EngineContext,
  input: StartInput,
  actor: Principal,
  options: { requestId?: string; lang?: FormLang } = {},
): Promise<InstanceSummary> {
  return command(ctx, async (tx, now) => {
    const def = await versionToStart(tx, input.processKey, actor, now);
    if (!def) {
      throw new LoopdeskError('LD_PROCESS_NOT_PUBLISHED', 404, `process ${input.processKey} has no published version`);
    }
    const graph = await graphOf(ctx, tx, def.id);
    const id = newId();
    const variables: Record<string, unknown> = { ...(input.variables ?? {}) };
    const startForm = graph.nodes[graph.startEventId]?.formId ?? null;
    let caseNumber: string | null = null;
    if (graph.loopdesk?.caseNumberFormat) {
      const zone = calendarOf(ctx, graph)?.timeZone ?? 'Asia/Shanghai';
      caseNumber = await nextCaseNumber(tx, graph.loopdesk.caseNumberFormat, now, zone);
      variables.caseNumber = caseNumber;
    }
    let customerId = typeof variables.customerId === 'string' ? variables.customerId : null;
    let duplicateOf: string | null = null;
    if (startForm) {
      if (!input.data) {
        throw new LoopdeskError('LD_FORM_REQUIRED', 422, `process ${def.key} starts with form ${startForm}: send its data`, [
          { path: '/data', message: 'required' },
        ]);
      }
      // Conventions of a start form: `caseNo` receives the case number, `customerId` links the
      // customer, `duplicateOf` flags a likely duplicate (R2). They are server-set form values.
      if (typeof input.data.customerId === 'string') customerId = input.data.customerId;
      if (customerId) duplicateOf = await findDuplicate(tx, customerId, formVariable(startForm), input.data.orderNo, now);
      const serverValues: Record<string, unknown> = {};
      if (caseNumber) serverValues.caseNo = caseNumber;
      if (duplicateOf) serverValues.duplicateOf = duplicateOf;
      const target = { formId: startForm, formVersion: null, instanceId: id, id: null, input: serverValues };
      const validated = await formValidator(options.lang ?? 'en')(tx, target, input.data, actor, now);
      variables[formVariable(startForm)] = validated[formVariable(startForm)];
    }
    const inst: InstanceRecord = {
      id,
      processKey: def.key,
      version: def.version,
      definitionId: def.id,
      businessKey: input.businessKey ?? caseNumber,
      caseNumber,
      customerId,
      state: 'active',
      variables,
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
        after: { processKey: inst.processKey, version: inst.version, businessKey: inst.businessKey, caseNumber, variables: input.variables ?? {} },
        requestId: options.requestId,
      },
      { isNew: true },
    );
    afterCommit(tx, () => {
      casesStarted.inc({ process: inst.processKey });
      if (inst.state === 'completed') casesCompleted.inc({ process: inst.processKey });
    });
    return { ...summary(inst), duplicateOf };
  });
}

/**
 * A case by its readable number (R1), for whoever may read it. A case someone may not read answers
 * exactly like a number that was never issued, so case numbers cannot be probed.
 */
export async function getCaseByNumber(ctx: EngineContext, caseNumber: string, who: Principal): Promise<InstanceView> {
  const id = await instanceIdByCaseNumber(ctx, caseNumber);
  try {
    return await getInstance(ctx, id, who);
  } catch (err) {
    if (err instanceof LoopdeskError && err.statusCode === 404) throw notFound('case', caseNumber);
    throw err;
  }
}

/** Finds a case by its readable number (R1). */
export async function instanceIdByCaseNumber(ctx: EngineContext, caseNumber: string): Promise<string> {
  const row = await ctx.db.get<{ id: string }>('SELECT id FROM instances WHERE case_number = ?', [caseNumber]);
  if (!row) throw notFound('case', caseNumber);
  return row.id;
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
