/**
 * `case_facts`: one row per instance with the dimensions and outcomes every report reads, computed
 * from the instance's variables (form data under feedbackIntake / handling / callback), its node
 * visits, tasks, reassignments and SLA clocks. The engine calls `recordCaseFacts` in the step's
 * transaction; `ensureFacts` (run before every report) backfills instances that have none, refreshes
 * open cases whose revision moved or whose clock breached since, and folds the pending aggregate
 * changes into `analytics_daily`.
 *
 * Aggregates are kept exact under concurrency by recording, per row, the change to its contribution
 * (`pending`, a signed multiset of items) in the same transaction as the facts, and applying
 * pending changes later in one serialised pass.
 */
import type { DatabaseKind, Db, Tx } from '../store/db.ts';
import type { CaseRow } from './filters.ts';
import { HIST_FACTOR, bucketOf } from './stats.ts';

/** Time zone of the day buckets (case-start day). Changing it rebuilds the daily aggregates. */
export const ANALYTICS_TIME_ZONE = process.env.LOOPDESK_ANALYTICS_TZ ?? 'Asia/Shanghai';
const DAY = 86_400_000;

const offsetCache = new Map<number, number>();
const offsetFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: ANALYTICS_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Offset of the analytics time zone at `ms` in ms (cached per hour). */
export function zoneOffset(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let off = offsetCache.get(hour);
  if (off === undefined) {
    const parts = Object.fromEntries(offsetFormat.formatToParts(new Date(hour * 3_600_000)).map((p) => [p.type, p.value]));
    const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
    off = local - hour * 3_600_000;
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(hour, off);
  }
  return off;
}

/** Days since 1970-01-01 in the analytics time zone. */
export const dayOf = (ms: number): number => Math.floor((ms + zoneOffset(ms)) / DAY);

/** The instant a day (as from dayOf) starts. */
export function dayStart(day: number): number {
  const guess = day * DAY;
  return guess - zoneOffset(guess - zoneOffset(guess));
}

/** Node types whose visits take no time of their own and are left out of node durations. */
const INSTANT_TYPES = new Set(['startEvent', 'endEvent', 'exclusiveGateway', 'parallelGateway', 'inclusiveGateway']);

export interface ClockFact {
  key: string;
  /** met / breached once stopped; overdue = breached and still running; running; paused. */
  state: 'met' | 'breached' | 'overdue' | 'running' | 'paused';
  elapsedMs: number | null;
  targetMs: number;
  workingTime: boolean;
  startedAt: number;
  stoppedAt: number | null;
  breachedAt: number | null;
  dueAt: number | null;
}

const CLOCK_STATES = ['met', 'breached', 'overdue', 'running', 'paused'] as const;

/** Clocks are stored as compact arrays (rows stay narrow); this reads them back. */
export function parseClocks(text: string): ClockFact[] {
  return (JSON.parse(text) as (string | number | null)[][]).map((a) => ({
    key: a[0] as string,
    state: CLOCK_STATES[a[1] as number],
    elapsedMs: a[2] as number | null,
    targetMs: a[3] as number,
    workingTime: a[4] === 1,
    startedAt: a[5] as number,
    stoppedAt: a[6] as number | null,
    breachedAt: a[7] as number | null,
    dueAt: a[8] as number | null,
  }));
}

const clocksText = (clocks: ClockFact[]) =>
  JSON.stringify(clocks.map((c) => [c.key, CLOCK_STATES.indexOf(c.state), c.elapsedMs, c.targetMs, c.workingTime ? 1 : 0, c.startedAt, c.stoppedAt, c.breachedAt, c.dueAt]));

/** [nodeId, wallMs, workingMs, completedBy] of one closed visit. */
export type NodeTime = [string, number, number | null, string | null];

/** A `case_facts` row: the report columns (CaseRow) and the bookkeeping behind them. */
export interface CaseFactsRow extends CaseRow {
  day: number;
  rev: number;
  fcr_mark: number | null;
  clocks: string;
  node_times: string;
}

const FACT_COLUMNS = [
  'instance_id',
  'process_key',
  'version',
  'case_number',
  'customer_id',
  'state',
  'started_at',
  'ended_at',
  'day',
  'rev',
  'starter',
  'channel',
  'type',
  'urgency',
  'product_model',
  'region',
  'department',
  'owner',
  'cause',
  'description',
  'resolved',
  'unresolved_reason',
  'fcr_mark',
  'reopen_count',
  'redispatch_count',
  'fcr',
  'satisfaction',
  'nps',
  'callback_outcome',
  'response_ms',
  'response_state',
  'resolution_ms',
  'resolution_state',
  'clocks',
  'node_times',
] as const satisfies readonly (keyof CaseFactsRow)[];

export interface InstanceInput {
  id: string;
  process_key: string;
  version: number;
  case_number: string | null;
  customer_id: string | null;
  state: string;
  variables: string;
  rev: number;
  started_at: number;
  ended_at: number | null;
  started_by: string;
}

export interface VisitInput {
  instance_id: string;
  node_id: string;
  type: string;
  left_at: number | null;
  duration_ms: number | null;
  working_ms: number | null;
  completed_by: string | null;
}

export interface TaskInput {
  id: string;
  instance_id: string;
  node_id: string;
  form_id: string | null;
  state: string;
  assignee: string | null;
  completed_by: string | null;
}

export interface ClockInput {
  instance_id: string;
  clock_key: string;
  state: string;
  target_ms: number;
  working_time: number;
  started_at: number;
  accumulated_ms: number;
  due_at: number | null;
  breached_at: number | null;
  stopped_at: number | null;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strOf = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : typeof v === 'number' ? String(v) : null);
const boolOf = (v: unknown): number | null => (v === true ? 1 : v === false ? 0 : null);
/** Integers that fit an INTEGER column; anything else (text, 1e12) is not a fact. */
const intOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 2 ** 31 ? Math.round(v) : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The form the owner of a case is read from (handling.responsiblePerson, else whoever holds its task). */
const HANDLING_FORM = 'handling';

/** Computes the facts of one instance from its rows; pure. */
export function computeFacts(inst: InstanceInput, visits: VisitInput[], tasks: TaskInput[], clocks: ClockInput[], redispatches: number): CaseFactsRow {
  const vars = obj(JSON.parse(inst.variables));
  const intake = obj(vars.feedbackIntake);
  const handling = obj(vars.handling);
  const callback = obj(vars.callback);
  /** The first text value, cut to the column's length (facts must never fail the engine's step). */
  const pick = (max: number, ...vs: unknown[]) => {
    for (const v of vs) {
      const s = strOf(v, max);
      if (s !== null) return s;
    }
    return null;
  };
  const handlingTasks = tasks.filter((t) => t.form_id === HANDLING_FORM);
  const ownerTasks = handlingTasks.length ? handlingTasks : tasks;
  const lastOwnerTask = ownerTasks.at(-1);
  const owner = pick(100, handling.responsiblePerson, lastOwnerTask?.completed_by, lastOwnerTask?.assignee);
  const resolved = boolOf(handling.resolved);
  const fcrMark = boolOf(handling.firstContactResolution);
  const reopenCount = intOf(vars.reopenCount) ?? 0;
  const fcr = resolved === null ? null : resolved === 1 && reopenCount === 0 && redispatches === 0 && fcrMark !== 0 ? 1 : 0;

  const clockFacts: ClockFact[] = [];
  for (const c of clocks) {
    if (clockFacts.some((f) => f.key === c.clock_key)) continue; // the first clock of a key is the case's
    const stopped = c.stopped_at !== null;
    const breached = c.breached_at !== null;
    clockFacts.push({
      key: c.clock_key,
      state: stopped ? (breached ? 'breached' : 'met') : breached ? 'overdue' : c.state === 'paused' ? 'paused' : 'running',
      elapsedMs: stopped ? Number(c.accumulated_ms) : null,
      targetMs: Number(c.target_ms),
      workingTime: Number(c.working_time) === 1,
      startedAt: Number(c.started_at),
      stoppedAt: num(c.stopped_at),
      breachedAt: num(c.breached_at),
      dueAt: num(c.due_at),
    });
  }
  const response = clockFacts.find((c) => c.key === 'response');
  const resolution = clockFacts.find((c) => c.key === 'resolution');
  const nodeTimes: NodeTime[] = visits
    .filter((v) => v.left_at !== null && v.duration_ms !== null && !INSTANT_TYPES.has(v.type))
    .map((v) => [v.node_id, Number(v.duration_ms), num(v.working_ms), v.completed_by]);
  const startedAt = Number(inst.started_at);
  return {
    instance_id: inst.id,
    process_key: inst.process_key,
    version: Number(inst.version),
    case_number: inst.case_number,
    customer_id: inst.customer_id,
    state: inst.state,
    started_at: startedAt,
    ended_at: num(inst.ended_at),
    day: dayOf(startedAt),
    rev: Number(inst.rev),
    starter: inst.started_by,
    channel: pick(60, intake.channel, vars.channel),
    type: pick(60, intake.type, handling.caseType, vars.type, vars.caseType),
    urgency: pick(20, intake.urgency, handling.caseUrgency, vars.urgency, vars.caseUrgency),
    product_model: pick(200, intake.productModel, vars.productModel),
    region: pick(60, intake.region, vars.region),
    department: pick(200, handling.responsibleDepartment, vars.handlingGroup, vars.department),
    owner,
    cause: pick(500, handling.cause),
    description: pick(500, intake.description, vars.description),
    resolved,
    unresolved_reason: resolved === 0 ? pick(500, handling.unresolvedReason) : null,
    fcr_mark: fcrMark,
    reopen_count: reopenCount,
    redispatch_count: redispatches,
    fcr,
    satisfaction: intOf(callback.satisfactionScore),
    nps: intOf(callback.nps),
    callback_outcome: pick(60, callback.outcome),
    response_ms: response?.elapsedMs ?? null,
    response_state: response?.state ?? null,
    resolution_ms: resolution?.elapsedMs ?? null,
    resolution_state: resolution?.state ?? null,
    clocks: clocksText(clockFacts),
    node_times: JSON.stringify(nodeTimes),
  };
}

// --- Contributions to analytics_daily ------------------------------------------------------------

/**
 * The items a facts row adds to the daily aggregates, as strings: `case`, `w|node|ms` (wall),
 * `k|node|ms` (working), `c|clock|ms-or-empty|met-or-breached` (a clock with a known outcome).
 */
export function contribution(row: Pick<CaseFactsRow, 'clocks' | 'node_times'> | null): string[] {
  if (!row) return [];
  const items = ['case'];
  for (const [node, wall, working] of JSON.parse(row.node_times) as NodeTime[]) {
    items.push(`w|${node}|${wall}`);
    if (working !== null) items.push(`k|${node}|${working}`);
  }
  for (const c of parseClocks(row.clocks)) {
    if (c.state === 'met' || c.state === 'breached') items.push(`c|${c.key}|${c.elapsedMs ?? ''}|${c.state}`);
    else if (c.state === 'overdue') items.push(`c|${c.key}||breached`);
  }
  return items;
}

/** Pending aggregate change: item → signed count. */
export type Pending = Record<string, number>;

export function addDelta(pending: Pending, before: string[], after: string[]): Pending {
  for (const i of after) pending[i] = (pending[i] ?? 0) + 1;
  for (const i of before) pending[i] = (pending[i] ?? 0) - 1;
  for (const k of Object.keys(pending)) if (pending[k] === 0) delete pending[k];
  return pending;
}

// --- Reading the sources -------------------------------------------------------------------------

const INSTANCE_COLS = 'id, process_key, version, case_number, customer_id, state, variables, rev, started_at, ended_at, started_by';
const VISIT_COLS = 'instance_id, node_id, type, left_at, duration_ms, working_ms, completed_by';
const TASK_COLS = 'id, instance_id, node_id, form_id, state, assignee, completed_by';
const CLOCK_COLS = 'instance_id, clock_key, state, target_ms, working_time, started_at, accumulated_ms, due_at, breached_at, stopped_at';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Reassignments of tasks away from someone (not first assignments) per instance. */
function countRedispatches(tasks: TaskInput[], audits: { entity_id: string; before: string | null }[]): Map<string, number> {
  const taskInstance = new Map(tasks.filter((t) => t.form_id === HANDLING_FORM || !tasks.some((o) => o.instance_id === t.instance_id && o.form_id === HANDLING_FORM)).map((t) => [t.id, t.instance_id]));
  const out = new Map<string, number>();
  for (const a of audits) {
    const inst = taskInstance.get(a.entity_id);
    if (!inst) continue;
    const before = a.before ? (obj(JSON.parse(a.before)).assignee ?? null) : null;
    if (before) out.set(inst, (out.get(inst) ?? 0) + 1);
  }
  return out;
}

/** Facts of many instances at once (four queries per chunk). */
async function computeMany(tx: Tx, instances: InstanceInput[]): Promise<CaseFactsRow[]> {
  if (instances.length === 0) return [];
  const ids = instances.map((i) => i.id);
  const ph = placeholders(ids.length);
  const visits = await tx.all<VisitInput>(`SELECT ${VISIT_COLS} FROM node_visits WHERE instance_id IN (${ph}) ORDER BY entered_at, id`, ids);
  const tasks = await tx.all<TaskInput>(`SELECT ${TASK_COLS} FROM tasks WHERE instance_id IN (${ph}) ORDER BY created_at, id`, ids);
  const clocks = await tx.all<ClockInput>(`SELECT ${CLOCK_COLS} FROM sla_clocks WHERE instance_id IN (${ph}) ORDER BY started_at, id`, ids);
  const taskIds = tasks.map((t) => t.id);
  const audits: { entity_id: string; before: string | null }[] = [];
  for (let i = 0; i < taskIds.length; i += 500) {
    const part = taskIds.slice(i, i + 500);
    audits.push(
      ...(await tx.all<{ entity_id: string; before: string | null }>(
        `SELECT entity_id, before FROM audit_log WHERE entity_type = 'task' AND action = 'task.reassign' AND entity_id IN (${placeholders(part.length)})`,
        part,
      )),
    );
  }
  const redispatches = countRedispatches(tasks, audits);
  const group = <T extends { instance_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.instance_id);
      if (list) list.push(r);
      else m.set(r.instance_id, [r]);
    }
    return m;
  };
  const v = group(visits);
  const t = group(tasks);
  const c = group(clocks);
  return instances.map((inst) => computeFacts(inst, v.get(inst.id) ?? [], t.get(inst.id) ?? [], c.get(inst.id) ?? [], redispatches.get(inst.id) ?? 0));
}

async function writeFacts(tx: Tx, row: CaseFactsRow, previous: { pending: string | null; clocks: string; node_times: string } | undefined, now: number): Promise<void> {
  const pending = addDelta(previous?.pending ? (JSON.parse(previous.pending) as Pending) : {}, contribution(previous ?? null), contribution(row));
  const dirty = Object.keys(pending).length ? 1 : 0;
  const values = FACT_COLUMNS.map((c) => row[c]);
  if (previous) {
    await tx.run(`UPDATE case_facts SET ${FACT_COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')}, pending = ?, dirty = ?, updated_at = ? WHERE instance_id = ?`, [
      ...values.slice(1),
      dirty ? JSON.stringify(pending) : null,
      dirty,
      now,
      row.instance_id,
    ]);
  } else {
    await tx.run(`INSERT INTO case_facts (${FACT_COLUMNS.join(', ')}, pending, dirty, updated_at) VALUES (${placeholders(FACT_COLUMNS.length + 3)})`, [
      ...values,
      dirty ? JSON.stringify(pending) : null,
      dirty,
      now,
    ]);
  }
}

/**
 * Recomputes the facts of one instance inside the caller's transaction. Call it from the engine's
 * step (after the instance, its visits, tasks and clocks are written) whenever a task completes or
 * the instance ends; calling it more often is harmless. The facts row is locked before it is read,
 * so concurrent refreshes of the same case serialise; pass `lockInstance: ' FOR UPDATE'` on
 * PostgreSQL when the caller has not already written the instance row in this transaction.
 */
export async function recordCaseFacts(tx: Tx, instanceId: string, now: number, options: { lockInstance?: string } = {}): Promise<void> {
  const inst = await tx.get<InstanceInput>(`SELECT ${INSTANCE_COLS} FROM instances WHERE id = ?${options.lockInstance ?? ''}`, [instanceId]);
  if (!inst) return;
  // Portable row lock (PostgreSQL waits here for a concurrent writer; SQLite serialises anyway).
  await tx.run('UPDATE case_facts SET dirty = dirty WHERE instance_id = ?', [instanceId]);
  const previous = await tx.get<{ pending: string | null; clocks: string; node_times: string }>(
    'SELECT pending, clocks, node_times FROM case_facts WHERE instance_id = ?',
    [instanceId],
  );
  const [row] = await computeMany(tx, [inst]);
  await writeFacts(tx, row!, previous, now);
}

// --- Keeping facts and aggregates current before a report ----------------------------------------

const BACKFILL_KEY = 'analytics.facts.backfilled';
const TZ_KEY = 'analytics.timeZone';
const CHUNK = 400;
const PG_LOCK = 7_140_077;

async function lockAnalytics(tx: Tx, kind: DatabaseKind) {
  if (kind === 'postgresql') await tx.run('SELECT pg_advisory_xact_lock(?)', [PG_LOCK]);
}

/** Facts for every instance that has none (in chunks, each its own transaction). Returns how many. */
export async function backfillCaseFacts(db: Db, now: number, onChunk?: (done: number) => void): Promise<number> {
  let after = '';
  let done = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await lockAnalytics(tx, db.kind);
      const missing = await tx.all<InstanceInput>(
        `SELECT ${INSTANCE_COLS.split(', ').map((c) => `i.${c}`).join(', ')} FROM instances i LEFT JOIN case_facts c ON c.instance_id = i.id
         WHERE c.instance_id IS NULL AND i.id > ? ORDER BY i.id LIMIT ${CHUNK}`,
        [after],
      );
      if (missing.length === 0) return 0;
      after = missing.at(-1)!.id;
      for (const row of await computeMany(tx, missing)) await writeFacts(tx, row, undefined, now);
      return missing.length;
    });
    if (n === 0) break;
    done += n;
    onChunk?.(done);
  }
  return done;
}

async function refresh(db: Db, ids: string[], now: number): Promise<void> {
  const lock = db.kind === 'postgresql' ? ' FOR UPDATE' : '';
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    await db.transaction(async (tx) => {
      for (const id of part) await recordCaseFacts(tx, id, now, { lockInstance: lock });
    });
  }
}

/** Open cases whose facts are behind: revision moved, or a clock breached since they were computed. */
async function staleIds(db: Db): Promise<string[]> {
  const moved = await db.all<{ id: string }>(
    "SELECT c.instance_id AS id FROM case_facts c JOIN instances i ON i.id = c.instance_id WHERE c.state = 'active' AND i.rev <> c.rev",
  );
  // Running breached clocks keep their due time (stopped and paused ones have none): an index range.
  const breached = await db.all<{ id: string; clock_key: string; clocks: string }>(
    "SELECT s.instance_id AS id, s.clock_key, c.clocks FROM sla_clocks s JOIN case_facts c ON c.instance_id = s.instance_id WHERE s.state = 'breached' AND s.due_at IS NOT NULL AND s.stopped_at IS NULL AND c.state = 'active'",
  );
  const ids = new Set(moved.map((r) => r.id));
  for (const b of breached) {
    const f = parseClocks(b.clocks).find((c) => c.key === b.clock_key);
    if (!f || f.breachedAt === null) ids.add(b.id);
  }
  // Instances started recently without facts (the step hook not wired, or started by another path).
  const latest = await db.get<{ m: number | null }>('SELECT MAX(started_at) AS m FROM case_facts');
  const since = latest?.m === null || latest?.m === undefined ? 0 : Number(latest.m) - DAY;
  const fresh = await db.all<{ id: string }>(
    'SELECT i.id FROM instances i LEFT JOIN case_facts c ON c.instance_id = i.id WHERE i.started_at >= ? AND c.instance_id IS NULL',
    [since],
  );
  for (const r of fresh) ids.add(r.id);
  return [...ids];
}

interface DailyAgg {
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
  met: number;
  breached: number;
  hist: Record<string, number>;
  top: [number, string][];
}

export const TOP_PER_DAY = 10;

function applyItem(agg: DailyAgg, value: number | null, outcome: string | null, sign: number, instanceId: string) {
  if (outcome === 'met') agg.met += sign;
  else if (outcome === 'breached') agg.breached += sign;
  if (value === null) return;
  agg.n += sign;
  agg.sum += sign * value;
  const b = String(bucketOf(value));
  agg.hist[b] = (agg.hist[b] ?? 0) + sign;
  if (agg.hist[b] === 0) delete agg.hist[b];
  if (sign > 0) {
    agg.min = agg.min === null ? value : Math.min(agg.min, value);
    agg.max = agg.max === null ? value : Math.max(agg.max, value);
    if (agg.top.length < TOP_PER_DAY || value > agg.top.at(-1)![0]) {
      agg.top.push([value, instanceId]);
      agg.top.sort((a, b) => b[0] - a[0]);
      agg.top.length = Math.min(agg.top.length, TOP_PER_DAY);
    }
  } else {
    // Values never leave a case (closed visits and stopped clocks are final), so min/max stay valid.
    const i = agg.top.findIndex(([v, id]) => v === value && id === instanceId);
    if (i >= 0) agg.top.splice(i, 1);
  }
}

/** Folds pending aggregate changes into analytics_daily, serialised across nodes. */
export async function applyPendingAggregates(db: Db): Promise<number> {
  let applied = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await lockAnalytics(tx, db.kind);
      const rows = await tx.all<{ instance_id: string; process_key: string; version: number; day: number; pending: string }>(
        `SELECT instance_id, process_key, version, day, pending FROM case_facts WHERE dirty = 1 LIMIT 20000${db.kind === 'postgresql' ? ' FOR UPDATE' : ''}`,
      );
      if (rows.length === 0) return 0;
      const touched = new Map<string, { key: [string, number, number, string]; agg: DailyAgg | null; exists: boolean }>();
      const entry = async (pk: string, version: number, day: number, metric: string) => {
        const k = `${pk}\u0000${version}\u0000${day}\u0000${metric}`;
        let e = touched.get(k);
        if (!e) {
          const r = await tx.get<{ n: number; sum_ms: number; min_ms: number | null; max_ms: number | null; met: number; breached: number; hist: string; top: string }>(
            'SELECT n, sum_ms, min_ms, max_ms, met, breached, hist, top FROM analytics_daily WHERE process_key = ? AND version = ? AND day = ? AND metric = ?',
            [pk, version, day, metric],
          );
          e = {
            key: [pk, version, day, metric],
            exists: !!r,
            agg: r
              ? { n: Number(r.n), sum: Number(r.sum_ms), min: num(r.min_ms), max: num(r.max_ms), met: Number(r.met), breached: Number(r.breached), hist: JSON.parse(r.hist), top: JSON.parse(r.top) }
              : { n: 0, sum: 0, min: null, max: null, met: 0, breached: 0, hist: {}, top: [] },
          };
          touched.set(k, e);
        }
        return e.agg!;
      };
      for (const r of rows) {
        const pending = JSON.parse(r.pending) as Pending;
        for (const [item, count] of Object.entries(pending)) {
          const parts = item.split('|');
          const sign = Math.sign(count);
          for (let i = 0; i < Math.abs(count); i++) {
            if (parts[0] === 'case') {
              (await entry(r.process_key, Number(r.version), Number(r.day), 'case')).n += sign;
            } else if (parts[0] === 'w' || parts[0] === 'k') {
              const agg = await entry(r.process_key, Number(r.version), Number(r.day), `node:${parts[1]}:${parts[0] === 'w' ? 'wall' : 'work'}`);
              applyItem(agg, Number(parts[2]), null, sign, r.instance_id);
            } else if (parts[0] === 'c') {
              const agg = await entry(r.process_key, Number(r.version), Number(r.day), `clock:${parts[1]}`);
              applyItem(agg, parts[2] === '' ? null : Number(parts[2]), parts[3] ?? null, sign, r.instance_id);
            }
          }
        }
      }
      for (const e of touched.values()) {
        const a = e.agg!;
        const [pk, version, day, metric] = e.key;
        const values = [a.n, Math.round(a.sum), a.min, a.max, a.met, a.breached, JSON.stringify(a.hist), JSON.stringify(a.top)];
        if (e.exists) {
          await tx.run(
            'UPDATE analytics_daily SET n = ?, sum_ms = ?, min_ms = ?, max_ms = ?, met = ?, breached = ?, hist = ?, top = ? WHERE process_key = ? AND version = ? AND day = ? AND metric = ?',
            [...values, pk, version, day, metric],
          );
        } else {
          await tx.run(
            'INSERT INTO analytics_daily (process_key, version, day, metric, n, sum_ms, min_ms, max_ms, met, breached, hist, top) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [pk, version, day, metric, ...values],
          );
        }
      }
      const ids = rows.map((r) => r.instance_id);
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        await tx.run(`UPDATE case_facts SET pending = NULL, dirty = 0 WHERE instance_id IN (${placeholders(part.length)})`, part);
      }
      return rows.length;
    });
    if (n === 0) break;
    applied += n;
  }
  return applied;
}

/** Rebuilds the daily aggregates from the facts (after a time-zone change). */
async function rebuildAggregates(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await lockAnalytics(tx, db.kind);
    await tx.run('DELETE FROM analytics_daily');
    await tx.run('UPDATE case_facts SET dirty = 1, pending = NULL');
  });
  // Re-derive every row's full contribution as its pending change.
  let after = '';
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx.all<{ instance_id: string; clocks: string; node_times: string; started_at: number }>(
        `SELECT instance_id, clocks, node_times, started_at FROM case_facts WHERE instance_id > ? ORDER BY instance_id LIMIT ${CHUNK}`,
        [after],
      );
      for (const r of rows) {
        await tx.run('UPDATE case_facts SET day = ?, pending = ?, dirty = 1 WHERE instance_id = ?', [
          dayOf(Number(r.started_at)),
          JSON.stringify(addDelta({}, [], contribution(r))),
          r.instance_id,
        ]);
      }
      if (rows.length) after = rows.at(-1)!.instance_id;
      return rows.length;
    });
    if (n === 0) break;
  }
}

const ready = new WeakMap<Db, Promise<void>>();

/**
 * Brings facts and aggregates up to date before a report: the one-off backfill (per database, on
 * first use), then open cases that moved, then pending aggregate changes.
 */
export async function ensureFacts(db: Db, now: number): Promise<void> {
  let first = ready.get(db);
  if (!first) {
    first = (async () => {
      const tz = await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [TZ_KEY]);
      if (tz && tz.value !== ANALYTICS_TIME_ZONE) await rebuildAggregates(db);
      if (tz?.value !== ANALYTICS_TIME_ZONE) {
        await db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [TZ_KEY, ANALYTICS_TIME_ZONE]);
      }
      const done = await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [BACKFILL_KEY]);
      if (!done) {
        await backfillCaseFacts(db, now);
        await db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [BACKFILL_KEY, String(now)]);
      }
    })();
    ready.set(db, first);
    first.catch(() => ready.delete(db));
  }
  await first;
  const stale = await staleIds(db);
  if (stale.length) await refresh(db, stale, now);
  await applyPendingAggregates(db);
}

export { HIST_FACTOR };
