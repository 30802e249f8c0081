/**
 * Hand-made cases written straight into a fresh database, the way the engine writes them
 * (instances, node visits, tasks, SLA clocks), followed by `recordCaseFacts` as the engine's step
 * calls it. Times are epoch ms; durations are given in hours to keep the expected values readable.
 */
import { recordCaseFacts } from '../../../engine/analytics/index.ts';
import { audit } from '../../../engine/store/audit.ts';
import type { Db } from '../../../engine/store/db.ts';

export const H = 3_600_000;
export const DAY = 24 * H;

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${(++seq).toString().padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`;

export interface VisitSpec {
  nodeId: string;
  type?: string;
  /** Closed visits have a duration; open ones do not. */
  hours?: number;
  workingHours?: number | null;
  enteredAt?: number;
  completedBy?: string | null;
}

export interface ClockSpec {
  key: string;
  /** Stopped clocks have elapsed hours; running ones do not. */
  hours?: number;
  targetHours?: number;
  breached?: boolean;
  paused?: boolean;
  startedAt?: number;
  dueAt?: number | null;
  workingTime?: boolean;
}

export interface TaskSpec {
  nodeId: string;
  formId?: string | null;
  assignee?: string | null;
  completedBy?: string | null;
  state?: 'open' | 'completed';
  /** Usernames the task was reassigned away from, in order (audited as task.reassign). */
  reassignedFrom?: string[];
}

export interface CaseSpec {
  id?: string;
  processKey: string;
  version?: number;
  caseNumber?: string | null;
  state?: 'active' | 'completed' | 'terminated';
  startedAt: number;
  endedAt?: number | null;
  startedBy?: string;
  variables?: Record<string, unknown>;
  visits?: VisitSpec[];
  clocks?: ClockSpec[];
  tasks?: TaskSpec[];
  /** Leave out recordCaseFacts (to test the lazy backfill). */
  noFacts?: boolean;
}

/** Writes one case and records its facts; returns its id. */
export async function insertCase(db: Db, spec: CaseSpec): Promise<string> {
  const id = spec.id ?? nextId('case');
  const version = spec.version ?? 1;
  const state = spec.state ?? 'completed';
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO instances (id, process_key, version, definition_id, business_key, case_number, customer_id, state, variables, execution, rev, started_at, ended_at, started_by)
       VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, ?, '{}', 1, ?, ?, ?)`,
      [
        id,
        spec.processKey,
        version,
        `${spec.processKey}:${version}`,
        spec.caseNumber === undefined ? id.toUpperCase().slice(0, 16) : spec.caseNumber,
        state,
        JSON.stringify(spec.variables ?? {}),
        spec.startedAt,
        spec.endedAt ?? (state === 'active' ? null : spec.startedAt + DAY),
        spec.startedBy ?? 'intake',
      ],
    );
    let t = spec.startedAt;
    for (const v of spec.visits ?? []) {
      const entered = v.enteredAt ?? t;
      const closed = v.hours !== undefined;
      const duration = closed ? Math.round(v.hours! * H) : null;
      await tx.run(
        `INSERT INTO node_visits (id, instance_id, process_key, version, node_id, name, type, entered_at, left_at, duration_ms, working_ms, completed_by, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          nextId('visit'),
          id,
          spec.processKey,
          version,
          v.nodeId,
          v.nodeId,
          v.type ?? 'userTask',
          entered,
          closed ? entered + duration! : null,
          duration,
          v.workingHours === undefined ? duration : v.workingHours === null ? null : Math.round(v.workingHours * H),
          v.completedBy ?? null,
          closed ? 'completed' : null,
        ],
      );
      if (closed) t = entered + duration!;
    }
    for (const c of spec.clocks ?? []) {
      const started = c.startedAt ?? spec.startedAt;
      const stopped = c.hours !== undefined;
      const elapsed = stopped ? Math.round(c.hours! * H) : 0;
      const target = Math.round((c.targetHours ?? 24) * H);
      await tx.run(
        `INSERT INTO sla_clocks (id, instance_id, clock_key, policy_key, state, target_ms, working_time, calendar, started_at, segment_start, accumulated_ms, due_at, warn_at, warned_at, breached_at, stopped_at)
         VALUES (?, ?, ?, 'fixture', ?, ?, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
        [
          nextId('clock'),
          id,
          c.key,
          stopped ? (c.breached ? 'breached' : 'met') : c.breached ? 'breached' : c.paused ? 'paused' : 'running',
          target,
          c.workingTime ? 1 : 0,
          started,
          stopped || c.paused ? null : started,
          elapsed,
          stopped ? null : (c.dueAt ?? started + target),
          c.breached ? started + target : null,
          stopped ? started + elapsed : null,
        ],
      );
    }
    let n = 0;
    for (const task of spec.tasks ?? []) {
      const taskId = nextId('task');
      const done = (task.state ?? 'completed') === 'completed';
      await tx.run(
        `INSERT INTO tasks (id, instance_id, process_key, node_id, token_id, name, form_id, form_version, state, assignee, candidate_groups, candidate_users, created_at, completed_at, completed_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, '[]', '[]', ?, ?, ?)`,
        [
          taskId,
          id,
          spec.processKey,
          task.nodeId,
          ++n,
          task.nodeId,
          task.formId ?? null,
          done ? 'completed' : 'open',
          task.assignee ?? task.completedBy ?? null,
          spec.startedAt + n,
          done ? spec.startedAt + n + 1 : null,
          done ? (task.completedBy ?? task.assignee ?? null) : null,
        ],
      );
      for (const who of task.reassignedFrom ?? []) {
        await audit(tx, spec.startedAt + n, {
          actor: 'head',
          action: 'task.reassign',
          entityType: 'task',
          entityId: taskId,
          before: { assignee: who },
          after: { assignee: task.assignee ?? 'someone', reason: 'fixture' },
        });
      }
    }
    if (!spec.noFacts) await recordCaseFacts(tx, id, spec.startedAt);
  });
  return id;
}

/** A process version row (with the SLA policy its graph names), e.g. for pilots and the R9 audit. */
export async function insertDefinition(
  db: Db,
  d: { key: string; version: number; status?: string; slaPolicy?: string; pilotTeams?: string[]; pilotUntil?: number; deployedAt?: number; nodes?: Record<string, string> },
) {
  const graph = {
    key: d.key,
    name: d.key,
    nodes: Object.fromEntries(Object.entries(d.nodes ?? {}).map(([id, name]) => [id, { id, name, type: 'userTask', scopeId: null, incoming: [], outgoing: [], boundaryEvents: [] }])),
    flows: {},
    ...(d.slaPolicy ? { loopdesk: { slaPolicy: d.slaPolicy } } : {}),
  };
  await db.run(
    `INSERT INTO process_definitions (id, key, version, status, name, xml, graph, checksum, deployed_at, deployed_by, published_at, pilot_teams, pilot_until)
     VALUES (?, ?, ?, ?, ?, '<xml/>', ?, ?, ?, 'admin', ?, ?, ?)`,
    [
      `${d.key}:${d.version}`,
      d.key,
      d.version,
      d.status ?? 'published',
      d.key,
      JSON.stringify(graph),
      `sum-${d.key}-${d.version}`,
      d.deployedAt ?? 0,
      d.status === 'pilot' ? null : (d.deployedAt ?? 0),
      d.pilotTeams ? JSON.stringify(d.pilotTeams) : null,
      d.pilotUntil ?? null,
    ],
  );
}

/** A date-time in Shanghai as epoch ms: at('2024-05-06 10:00'). */
export const at = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
