/**
 * Reading an instance for a step and writing the step back: the new execution state under an
 * optimistic revision check, plus every row the step's effects call for — a few prepared
 * statements, all in the caller's transaction.
 */
import { RevisionConflict } from '../core/errors.ts';
import type { Effects, ExecutionState } from '../bpmn/state.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import type { Tx } from './db.ts';

export interface InstanceRecord {
  id: string;
  processKey: string;
  version: number;
  definitionId: string;
  businessKey: string | null;
  caseNumber: string | null;
  customerId: string | null;
  state: 'active' | 'completed' | 'terminated';
  variables: Record<string, unknown>;
  execution: ExecutionState;
  rev: number;
  startedAt: number;
  endedAt: number | null;
  startedBy: string;
}

interface InstanceRowDb {
  id: string;
  process_key: string;
  version: number;
  definition_id: string;
  business_key: string | null;
  case_number: string | null;
  customer_id: string | null;
  state: InstanceRecord['state'];
  variables: string;
  execution: string;
  rev: number;
  started_at: number;
  ended_at: number | null;
  started_by: string;
}

/**
 * The state each loaded record had in the database. SQLite rewrites an index entry whenever its
 * column is assigned, changed or not, so an update that leaves the state alone must not name it:
 * that saved a page of `instances (process_key, state)` in nearly every step's commit.
 */
const storedState = new WeakMap<InstanceRecord, { state: InstanceRecord['state']; endedAt: number | null }>();

export function toInstance(r: InstanceRowDb): InstanceRecord {
  const inst: InstanceRecord = {
    id: r.id,
    processKey: r.process_key,
    version: r.version,
    definitionId: r.definition_id,
    businessKey: r.business_key,
    caseNumber: r.case_number,
    customerId: r.customer_id,
    state: r.state,
    variables: JSON.parse(r.variables),
    execution: JSON.parse(r.execution),
    rev: r.rev,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    startedBy: r.started_by,
  };
  storedState.set(inst, { state: inst.state, endedAt: inst.endedAt });
  return inst;
}

export async function loadInstance(tx: Tx, id: string): Promise<InstanceRecord | undefined> {
  const row = await tx.get<InstanceRowDb>('SELECT * FROM instances WHERE id = ?', [id]);
  return row && toInstance(row);
}

export async function insertInstance(tx: Tx, inst: InstanceRecord): Promise<void> {
  await tx.run(
    `INSERT INTO instances (id, process_key, version, definition_id, business_key, case_number, customer_id, state, variables, execution, rev, started_at, ended_at, started_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      inst.id,
      inst.processKey,
      inst.version,
      inst.definitionId,
      inst.businessKey,
      inst.caseNumber,
      inst.customerId,
      inst.state,
      JSON.stringify(inst.variables),
      JSON.stringify(inst.execution),
      inst.rev,
      inst.startedAt,
      inst.endedAt,
      inst.startedBy,
    ],
  );
}

/** Writes the new state if nobody else did since it was read; otherwise the command retries. */
export async function updateInstance(tx: Tx, inst: InstanceRecord, expectedRev: number): Promise<void> {
  const stored = storedState.get(inst);
  const sameState = stored?.state === inst.state && stored.endedAt === inst.endedAt;
  const changed = sameState
    ? await tx.run('UPDATE instances SET variables = ?, execution = ?, rev = ? WHERE id = ? AND rev = ?', [
        JSON.stringify(inst.variables),
        JSON.stringify(inst.execution),
        expectedRev + 1,
        inst.id,
        expectedRev,
      ])
    : await tx.run('UPDATE instances SET state = ?, variables = ?, execution = ?, rev = ?, ended_at = ? WHERE id = ? AND rev = ?', [
        inst.state,
        JSON.stringify(inst.variables),
        JSON.stringify(inst.execution),
        expectedRev + 1,
        inst.endedAt,
        inst.id,
        expectedRev,
      ]);
  if (changed !== 1) throw new RevisionConflict(`instance ${inst.id} changed concurrently`);
  inst.rev = expectedRev + 1;
  storedState.set(inst, { state: inst.state, endedAt: inst.endedAt });
}

/**
 * Writes a step's effects. With a calendar, every closed node visit also gets its working-hours
 * duration (R0c) beside the wall-clock one.
 */
const VISIT_COLUMNS =
  'id, instance_id, process_key, version, node_id, name, type, entered_at, left_at, duration_ms, working_ms, completed_by, outcome';
const VISITS_PER_INSERT = 200;
const insertVisitsSqlByCount: string[] = [];
/** The multi-row visit insert for n rows; the same few texts recur, so the drivers' statement caches hit. */
function insertVisitsSql(n: number): string {
  let sql = insertVisitsSqlByCount[n];
  if (!sql) {
    sql = `INSERT INTO node_visits (${VISIT_COLUMNS}) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    insertVisitsSqlByCount[n] = sql;
  }
  return sql;
}

export async function applyEffects(tx: Tx, inst: InstanceRecord, fx: Effects, now: number, calendar?: BusinessCalendar): Promise<void> {
  const working = (from: number, to: number | null) =>
    calendar && to !== null ? calendar.workingMsBetween(new Date(from), new Date(to)) : null;
  // One statement for the visits of a step (gateways and events pass in the same step as the task
  // they lead to): a multi-row insert costs little more than a single row. Chunks stay far below
  // the drivers' bound-parameter limits even for a wide parallel fork.
  for (let from = 0; from < fx.visitsInserted.length; from += VISITS_PER_INSERT) {
    const chunk = fx.visitsInserted.slice(from, from + VISITS_PER_INSERT);
    const params: unknown[] = [];
    for (const v of chunk) {
      params.push(v.id, inst.id, inst.processKey, inst.version, v.nodeId, v.name, v.type, v.enteredAt, v.leftAt, v.durationMs);
      params.push(working(v.enteredAt, v.leftAt), v.completedBy, v.outcome);
    }
    await tx.run(insertVisitsSql(chunk.length), params);
  }
  for (const v of fx.visitsClosed) {
    await tx.run('UPDATE node_visits SET left_at = ?, duration_ms = ?, working_ms = ?, completed_by = ?, outcome = ? WHERE id = ?', [
      v.leftAt,
      v.durationMs,
      working(v.leftAt! - v.durationMs!, v.leftAt),
      v.completedBy,
      v.outcome,
      v.id,
    ]);
  }
  for (const t of fx.tasksCreated) {
    // The task keeps the form version that was current when it opened, whatever is published later.
    const form = t.formId
      ? await tx.get<{ version: number }>(
          "SELECT version FROM form_definitions WHERE key = ? AND status = 'published' ORDER BY version DESC LIMIT 1",
          [t.formId],
        )
      : undefined;
    await tx.run(
      `INSERT INTO tasks (id, instance_id, process_key, node_id, token_id, name, form_id, form_version, state, assignee, candidate_groups, candidate_users, input, created_at, due_at, follow_up_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)`,
      [
        t.id,
        inst.id,
        inst.processKey,
        t.nodeId,
        t.tokenId,
        t.name,
        t.formId,
        form?.version ?? null,
        t.assignee,
        JSON.stringify(t.candidateGroups),
        JSON.stringify(t.candidateUsers),
        t.input === null ? null : JSON.stringify(t.input),
        t.createdAt,
        t.dueAt,
        t.followUpAt,
      ],
    );
    const candidates = [...t.candidateGroups.map((g) => ['group', g]), ...t.candidateUsers.map((u) => ['user', u])];
    if (candidates.length > 0)
      await tx.run(
        `INSERT INTO task_candidates (task_id, kind, name) VALUES ${candidates.map(() => '(?, ?, ?)').join(', ')}`,
        candidates.flatMap(([kind, name]) => [t.id, kind, name]),
      );
  }
  for (const t of fx.tasksClosed) {
    // The state guard makes a completion that lost a race visible as 0 rows: the command then fails.
    const changed = await tx.run(
      "UPDATE tasks SET state = ?, completed_at = ?, completed_by = ?, data = ?, assignee = COALESCE(assignee, ?) WHERE id = ? AND state = 'open'",
      [t.state, now, t.by, t.data === null ? null : JSON.stringify(t.data), t.by, t.id],
    );
    if (changed !== 1) throw new RevisionConflict(`task ${t.id} was closed concurrently`);
  }
  for (const j of fx.jobsCreated) {
    await tx.run('INSERT INTO jobs (id, instance_id, kind, node_id, token_id, due_at, payload, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)', [
      j.id,
      inst.id,
      j.kind,
      j.nodeId,
      j.tokenId,
      j.dueAt,
      JSON.stringify(j.payload),
    ]);
  }
  for (const id of fx.jobsDeleted) await tx.run('DELETE FROM jobs WHERE id = ?', [id]);
  for (const s of fx.subscriptionsCreated) {
    await tx.run(
      'INSERT INTO message_subscriptions (id, instance_id, token_id, node_id, message_name, business_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [s.id, inst.id, s.tokenId, s.nodeId, s.messageName, inst.businessKey, now],
    );
  }
  for (const id of fx.subscriptionsDeleted) await tx.run('DELETE FROM message_subscriptions WHERE id = ?', [id]);
  for (const i of fx.incidents) {
    await tx.run('INSERT INTO incidents (id, instance_id, node_id, code, message, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      i.id,
      inst.id,
      i.nodeId,
      i.code,
      i.message,
      now,
    ]);
  }
  for (const o of fx.outbox) {
    await tx.run("INSERT INTO outbox (id, instance_id, kind, payload, created_at, state) VALUES (?, ?, ?, ?, ?, 'pending')", [
      o.id,
      inst.id,
      o.kind,
      JSON.stringify(o.payload),
      now,
    ]);
  }
}
