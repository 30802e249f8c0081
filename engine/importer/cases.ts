/**
 * Writing one imported case in its historical state, inside the caller's batch transaction.
 *
 * - A closed case is an instance row in the engine's format with state `completed`, an empty
 *   execution state and the original started_at / ended_at, so analytics count it like any case.
 * - An open case is started by the engine itself (the same Execution, task rows, assignment and
 *   history rows as `startInstance`) and then moved to the node it waits at by completing the
 *   user tasks before it, in memory, in the same step. What only the move produced is dropped:
 *   tasks opened and closed on the way, their visits, timers armed and disarmed, notifications
 *   (a legacy case must not e-mail its customer again). The open task and its visit carry the
 *   original intake time. SLA clocks are not started for imported cases: their service levels
 *   were measured by the legacy system and a clock started in the past would only breach at once.
 * - The original case number is kept when it has the process's format and is free; otherwise the
 *   case gets a new number in the month it was opened and the legacy one is kept as
 *   `externalNumber`.
 */
import { recordCaseFacts } from '../analytics/index.ts';
import { emptyState } from '../bpmn/state.ts';
import type { Execution } from '../bpmn/Execution.ts';
import type { ProcessGraph } from '../bpmn/model.ts';
import { canReach } from '../bpmn/reachability.ts';
import { newId } from '../core/ids.ts';
import type { FormVersion } from '../forms/index.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type InstanceRecord, applyEffects, insertInstance } from '../store/instances.ts';
import { nextCaseNumber } from '../usecases/caseNumbers.ts';
import { type EngineContext, calendarOf } from '../usecases/context.ts';
import { executionFor } from '../usecases/step.ts';
import type { Lang } from './mapping.ts';
import { type Issue, type PreparedRow, say } from './prepare.ts';

/** What every case of one job is imported into. */
export interface ImportTarget {
  processKey: string;
  version: number;
  definitionId: string;
  graph: ProcessGraph;
  form: FormVersion;
  /** The process variable the form's data lives under (feedbackIntake). */
  variable: string;
  /** The process's case number format (FB{yyyyMM}{seq:3}), if it numbers cases. */
  numberFormat: string | null;
  zone: string;
}

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

// ---- case numbers -------------------------------------------------------------------------------

const TOKEN = /\{([^}]+)\}/g;
const SEQ = /^seq(?::(\d+))?$/;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface NumberPattern {
  /** The counter key (FB202405{seq}) and sequence of a number in this format, or undefined. */
  parse(number: string): { key: string; seq: number } | undefined;
}

/** Recognises numbers made by a case number format: FB{yyyyMM}{seq:3} matches FB202405007. */
export function numberPattern(format: string): NumberPattern {
  const parts: { literal?: string; seq?: boolean; digits?: number }[] = [];
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    if (m.index! > last) parts.push({ literal: format.slice(last, m.index) });
    const seq = SEQ.exec(m[1]!);
    parts.push(seq ? { seq: true, digits: Number(seq[1] ?? 1) } : { digits: m[1]!.length });
    last = m.index! + m[0].length;
  }
  if (last < format.length) parts.push({ literal: format.slice(last) });
  const regex = new RegExp(
    `^${parts.map((p) => (p.literal !== undefined ? `(${escapeRegex(p.literal)})` : p.seq ? `(\\d{${p.digits},})` : `(\\d{${p.digits}})`)).join('')}$`,
  );
  return {
    parse(number) {
      const m = regex.exec(number);
      if (!m) return undefined;
      let seq = 0;
      const key = parts
        .map((p, i) => {
          if (!p.seq) return m[i + 1];
          seq = Number(m[i + 1]);
          return '{seq}';
        })
        .join('');
      return { key, seq };
    },
  };
}

/**
 * Moves the counters past every legacy number a file brings, before any case is written, so a
 * number the engine hands out later (to a new case or an imported one without a usable number)
 * never collides with one an imported case keeps.
 */
export async function reserveNumbers(tx: Tx, format: string, numbers: Iterable<string>): Promise<void> {
  const pattern = numberPattern(format);
  const max = new Map<string, number>();
  for (const n of numbers) {
    const p = pattern.parse(n);
    if (p && n.length <= 60) max.set(p.key, Math.max(max.get(p.key) ?? 0, p.seq));
  }
  for (const [key, value] of max) {
    await tx.run(
      `INSERT INTO number_sequences (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = CASE WHEN excluded.value > number_sequences.value THEN excluded.value ELSE number_sequences.value END`,
      [key, value],
    );
  }
}

// ---- placing an open case -----------------------------------------------------------------------

const MAX_MOVES = 32;

const inevitableCache = new WeakMap<ProcessGraph, Map<string, boolean>>();

/**
 * True when every path from the start passes `nodeId` before it can end: placing a case there
 * then succeeds whatever its data, so a dry run need not simulate it (placement costs a few FEEL
 * evaluations per case). Boundary events are left out: no time passes and no message arrives
 * while a case is placed, so none of them fires.
 */
export function inevitable(graph: ProcessGraph, nodeId: string): boolean {
  let perGraph = inevitableCache.get(graph);
  if (!perGraph) {
    perGraph = new Map();
    inevitableCache.set(graph, perGraph);
  }
  let known = perGraph.get(nodeId);
  if (known === undefined) {
    known = true;
    const seen = new Set<string>([nodeId]);
    const stack = [graph.startEventId];
    while (stack.length && known) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = graph.nodes[id];
      if (!node || node.outgoing.length === 0 || node.type === 'subProcess') known = false;
      else for (const f of node.outgoing) stack.push(graph.flows[f]!.targetRef);
    }
    perGraph.set(nodeId, known);
  }
  return known;
}

/**
 * Starts the case and completes the user tasks before `nodeId` until a token waits there. Pure
 * (in memory): a dry run calls it to find out whether the row can be placed at all.
 */
export function placeOpenCase(ctx: EngineContext, target: ImportTarget, inst: InstanceRecord, nodeId: string | null, actor: string, now: number, lang: Lang): Execution {
  const graph = target.graph;
  const exec = executionFor(ctx, graph, inst, now, actor);
  exec.start();
  if (nodeId) {
    const waitsThere = () => exec.state.tokens.some((t) => t.nodeId === nodeId && t.wait !== undefined);
    for (let moves = 0; !waitsThere(); moves++) {
      const next = exec.state.tokens.find((t) => t.wait === 'task' && t.taskId && canReach(graph, t.nodeId, nodeId));
      if (!next || moves >= MAX_MOVES || exec.ended) {
        const name = graph.nodes[nodeId]?.name ?? nodeId;
        throw new PlacementError(
          say(lang, `按此工单的数据，流程无法到达「${name}」`, `with this case's data the process does not lead to "${name}"`),
        );
      }
      exec.completeTask(next.taskId!, {}, actor);
    }
  }
  const incident = exec.effects.incidents[0];
  if (incident) throw new PlacementError(say(lang, `流程在 ${incident.nodeId ?? ''} 出错：${incident.message}`, `the process stopped at ${incident.nodeId ?? ''}: ${incident.message}`));
  if (exec.ended) throw new PlacementError(say(lang, '流程在开始后立即结束，没有可等待的节点', 'the process ends right after its start: there is no step to wait at'));
  return exec;
}

/** Keeps what the case's history should show: its start and the steps it waits at, at the intake time. */
function keepHistoricalEffects(exec: Execution, startEventId: string, openedAt: number): void {
  const fx = exec.effects;
  const closedTasks = new Set(fx.tasksClosed.map((t) => t.id));
  fx.tasksCreated = fx.tasksCreated.filter((t) => !closedTasks.has(t.id));
  fx.tasksClosed = [];
  for (const t of fx.tasksCreated) t.createdAt = openedAt;
  fx.visitsInserted = fx.visitsInserted.filter((v) => v.leftAt === null || v.nodeId === startEventId);
  for (const v of fx.visitsInserted) {
    v.enteredAt = openedAt;
    if (v.leftAt !== null) {
      v.leftAt = openedAt;
      v.durationMs = 0;
    }
  }
  fx.visitsClosed = [];
  const deletedJobs = new Set(fx.jobsDeleted);
  fx.jobsCreated = fx.jobsCreated.filter((j) => !deletedJobs.has(j.id));
  fx.jobsDeleted = [];
  const deletedSubs = new Set(fx.subscriptionsDeleted);
  fx.subscriptionsCreated = fx.subscriptionsCreated.filter((s) => !deletedSubs.has(s.id));
  fx.subscriptionsDeleted = [];
  fx.outbox = [];
  for (const t of exec.state.tokens) if (t.wait !== undefined) t.enteredAt = openedAt;
}

// ---- writing ------------------------------------------------------------------------------------

export interface WriteOptions {
  jobId: string;
  fileName: string;
  actor: string;
  lang: Lang;
  now: number;
  requestId?: string | null;
  /** Active users by name (cached per job), for the legacy assignee of an open task. */
  userExists: (tx: Tx, username: string) => Promise<boolean>;
}

export interface WrittenCase {
  instanceId: string | null;
  caseNumber: string | null;
  warnings: Issue[];
  /** Set when the case could not be placed at its node: nothing was written. */
  refused?: Issue;
}

/** The instance record of a row, without its number yet (see numberCase). */
export function instanceFor(target: ImportTarget, row: PreparedRow, opts: Pick<WriteOptions, 'jobId' | 'fileName' | 'actor' | 'now'>): InstanceRecord {
  const data: Record<string, unknown> = { ...row.data };
  const variables: Record<string, unknown> = { [target.variable]: data };
  variables.importedFrom = { jobId: opts.jobId, file: opts.fileName, row: row.rowNo, at: opts.now, by: opts.actor };
  const closed = row.status === 'closed';
  return {
    id: newId(),
    processKey: target.processKey,
    version: target.version,
    definitionId: target.definitionId,
    businessKey: null,
    caseNumber: null,
    customerId: typeof data.customerId === 'string' && data.customerId ? data.customerId : null,
    state: closed ? 'completed' : 'active',
    variables,
    execution: emptyState(),
    rev: 0,
    startedAt: row.openedAt ?? opts.now,
    endedAt: closed ? row.closedAt : null,
    startedBy: opts.actor,
  };
}

/** Gives the case its number, as startInstance does: column, business key, `caseNumber` and the form's `caseNo`. */
function numberCase(inst: InstanceRecord, target: ImportTarget, caseNumber: string | null, externalNumber: string | null): void {
  inst.caseNumber = caseNumber;
  inst.businessKey = caseNumber;
  const data = inst.variables[target.variable] as Record<string, unknown>;
  if (caseNumber) {
    data.caseNo = caseNumber;
    inst.variables.caseNumber = caseNumber;
  }
  if (externalNumber) inst.variables.externalNumber = externalNumber;
}

export async function writeCase(ctx: EngineContext, tx: Tx, target: ImportTarget, row: PreparedRow, opts: WriteOptions): Promise<WrittenCase> {
  const warnings: Issue[] = [];
  const warn = (field: string, code: string, zh: string, en: string, value: string | null) =>
    warnings.push({ rowNo: row.rowNo, severity: 'warning', column: null, field, code, message: say(opts.lang, zh, en), value });

  // Placed first, before a number is taken: a case that cannot be placed leaves no trace. The
  // instance gets its number afterwards (the step's variables are the instance's own object).
  const inst = instanceFor(target, row, opts);
  let exec: Execution | undefined;
  if (row.status === 'open') {
    try {
      exec = placeOpenCase(ctx, target, inst, row.nodeId, opts.actor, opts.now, opts.lang);
    } catch (err) {
      if (!(err instanceof PlacementError)) throw err;
      return {
        instanceId: null,
        caseNumber: null,
        warnings,
        refused: { rowNo: row.rowNo, severity: 'error', column: null, field: 'case:node', code: 'LD_IMPORT_NODE_UNREACHABLE', message: err.message, value: row.nodeId },
      };
    }
  }

  let caseNumber: string | null = null;
  let externalNumber: string | null = null;
  const legacy = row.caseNumber;
  if (target.numberFormat) {
    const parsed = legacy && legacy.length <= 60 ? numberPattern(target.numberFormat).parse(legacy) : undefined;
    if (legacy && parsed) {
      const taken = await tx.get('SELECT id FROM instances WHERE case_number = ?', [legacy]);
      if (!taken) caseNumber = legacy;
      else warn('case:number', 'LD_IMPORT_NUMBER_TAKEN', `编号 ${legacy} 已被其他工单使用，已分配新编号，原编号记为 externalNumber`, `${legacy} is used by another case: a new number was given and the legacy one kept as externalNumber`, legacy);
    }
    if (!caseNumber) {
      caseNumber = await nextCaseNumber(tx, target.numberFormat, row.openedAt ?? opts.now, target.zone);
      externalNumber = legacy;
    }
  } else externalNumber = legacy;
  numberCase(inst, target, caseNumber, externalNumber);

  if (!exec) {
    await insertInstance(tx, inst);
  } else {
    keepHistoricalEffects(exec, target.graph.startEventId, inst.startedAt);
    if (row.assignee) {
      if (await opts.userExists(tx, row.assignee)) for (const t of exec.effects.tasksCreated) t.assignee = row.assignee;
      else warn('case:assignee', 'LD_IMPORT_ASSIGNEE_UNKNOWN', `没有用户 ${row.assignee}：任务留在组队列中`, `there is no user ${row.assignee}: the task stays in its group queue`, row.assignee);
    }
    await insertInstance(tx, inst);
    await applyEffects(tx, inst, exec.effects, opts.now, calendarOf(ctx, target.graph));
  }
  // The submission row tells every reader which form version the data belongs to (masking, R39).
  await tx.run(
    'INSERT INTO submissions (id, task_id, instance_id, form_key, form_version, data, submitted_by, submitted_at) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)',
    [newId(), inst.id, target.form.key, Number(target.form.version), JSON.stringify(inst.variables[target.variable]), opts.actor, inst.startedAt],
  );
  await tx.run('INSERT INTO imported_rows (process_key, row_key, instance_id, job_id, row_no, imported_at) VALUES (?, ?, ?, ?, ?, ?)', [
    target.processKey,
    row.key,
    inst.id,
    opts.jobId,
    row.rowNo,
    opts.now,
  ]);
  // The analytics facts, as the engine's step records them: imported cases count in the reports of
  // the months they happened in, not only after a backfill.
  await recordCaseFacts(tx, inst.id, opts.now);
  await audit(tx, opts.now, {
    actor: opts.actor,
    action: 'instance.import',
    entityType: 'instance',
    entityId: inst.id,
    after: {
      processKey: inst.processKey,
      version: inst.version,
      caseNumber,
      externalNumber,
      state: inst.state,
      nodeId: row.nodeId,
      startedAt: inst.startedAt,
      endedAt: inst.endedAt,
      importJob: opts.jobId,
      row: row.rowNo,
    },
    requestId: opts.requestId,
  });
  return { instanceId: inst.id, caseNumber, warnings };
}
