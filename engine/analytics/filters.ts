/**
 * The filters every analytics report takes — period, process key + version, department, team,
 * person, channel, type, urgency — turned into a WHERE clause on `case_facts`, and the row reads
 * the exact reports use. The period is the case's start: a report for May counts the cases
 * received in May (a cohort), whatever happened to them later.
 */
import { LoopdeskError } from '../core/errors.ts';
import type { Tx } from '../store/db.ts';
import { dayOf, dayStart } from './facts.ts';

export interface AnalyticsFilter {
  /** Inclusive start and exclusive end, epoch ms. */
  from?: number;
  to?: number;
  processKey?: string;
  version?: number;
  department?: string;
  team?: string;
  person?: string;
  channel?: string;
  type?: string;
  urgency?: string;
}

export interface FilterQuery {
  from?: string;
  to?: string;
  processKey?: string;
  version?: number;
  department?: string;
  team?: string;
  person?: string;
  channel?: string;
  type?: string;
  urgency?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A period bound: `YYYY-MM-DD` is that day in the analytics time zone (`to` inclusive: up to the end
 * of that day), an ISO date-time is that instant, digits are epoch ms.
 */
export function parseBound(value: string | undefined, end: boolean, path: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (DATE.test(value)) {
    const day = Math.floor(Date.parse(`${value}T00:00:00Z`) / 86_400_000);
    if (Number.isNaN(day)) throw badFilter(path, `${value} is not a date`);
    return dayStart(end ? day + 1 : day);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badFilter(path, `${value} is not a date, date-time or epoch milliseconds`);
  return t;
}

const badFilter = (path: string, message: string) => new LoopdeskError('LD_VALIDATION', 400, message, [{ path, message }]);

export function toFilter(q: FilterQuery): AnalyticsFilter {
  const f: AnalyticsFilter = {
    from: parseBound(q.from, false, '/querystring/from'),
    to: parseBound(q.to, true, '/querystring/to'),
    processKey: q.processKey || undefined,
    version: q.version,
    department: q.department || undefined,
    team: q.team || undefined,
    person: q.person || undefined,
    channel: q.channel || undefined,
    type: q.type || undefined,
    urgency: q.urgency || undefined,
  };
  if (f.from !== undefined && f.to !== undefined && f.to <= f.from) throw badFilter('/querystring/to', 'to must be after from');
  return f;
}

/** Filters that only narrow by keys the daily aggregates have (period on day bounds, process, version). */
export function coarseOnly(f: AnalyticsFilter): boolean {
  const aligned = (t: number | undefined) => t === undefined || dayStart(dayOf(t)) === t;
  return !f.department && !f.team && !f.person && !f.channel && !f.type && !f.urgency && aligned(f.from) && aligned(f.to);
}

export interface Where {
  sql: string;
  params: unknown[];
}

/** Members of a team (users.teams), the people whose cases a team filter selects. */
async function teamMembers(tx: Tx, team: string): Promise<string[]> {
  const users = await tx.all<{ username: string; teams: string }>('SELECT username, teams FROM users');
  return users.filter((u) => (JSON.parse(u.teams) as string[]).includes(team)).map((u) => u.username);
}

/** WHERE on case_facts (alias `c`) for the filter; `extra` conditions (with `extraParams`) are ANDed first. */
export async function whereOf(tx: Tx, f: AnalyticsFilter, extra: string[] = [], extraParams: unknown[] = []): Promise<Where> {
  const conds: string[] = [...extra];
  const params: unknown[] = [...extraParams];
  const eq = (col: string, v: unknown) => {
    if (v === undefined) return;
    conds.push(`c.${col} = ?`);
    params.push(v);
  };
  if (f.from !== undefined) {
    conds.push('c.started_at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    conds.push('c.started_at < ?');
    params.push(f.to);
  }
  eq('process_key', f.processKey);
  eq('version', f.version);
  eq('department', f.department);
  eq('owner', f.person);
  eq('channel', f.channel);
  eq('type', f.type);
  eq('urgency', f.urgency);
  if (f.team) {
    const members = await teamMembers(tx, f.team);
    if (members.length === 0) conds.push('1 = 0');
    else {
      conds.push(`c.owner IN (${members.map(() => '?').join(', ')})`);
      params.push(...members);
    }
  }
  return { sql: conds.length ? conds.join(' AND ') : '1 = 1', params };
}

/** The columns exact reports read (everything but the aggregate bookkeeping). */
export const CASE_COLUMNS =
  'c.instance_id, c.process_key, c.version, c.case_number, c.customer_id, c.state, c.started_at, c.ended_at, c.starter, c.channel, c.type, c.urgency, c.product_model, c.region, c.department, c.owner, c.cause, c.description, c.resolved, c.unresolved_reason, c.fcr, c.reopen_count, c.redispatch_count, c.satisfaction, c.nps, c.callback_outcome, c.response_ms, c.response_state, c.resolution_ms, c.resolution_state';

export interface CaseRow {
  instance_id: string;
  process_key: string;
  version: number;
  case_number: string | null;
  customer_id: string | null;
  state: string;
  started_at: number;
  ended_at: number | null;
  starter: string;
  channel: string | null;
  type: string | null;
  urgency: string | null;
  product_model: string | null;
  region: string | null;
  department: string | null;
  owner: string | null;
  cause: string | null;
  description: string | null;
  resolved: number | null;
  unresolved_reason: string | null;
  fcr: number | null;
  reopen_count: number;
  redispatch_count: number;
  satisfaction: number | null;
  nps: number | null;
  callback_outcome: string | null;
  response_ms: number | null;
  response_state: string | null;
  resolution_ms: number | null;
  resolution_state: string | null;
}

const NUMERIC: (keyof CaseRow)[] = [
  'version',
  'started_at',
  'ended_at',
  'resolved',
  'fcr',
  'reopen_count',
  'redispatch_count',
  'satisfaction',
  'nps',
  'response_ms',
  'resolution_ms',
];

/** PostgreSQL returns BIGINT as numbers (db.ts) but keep every numeric column a number or null. */
export function normalise<T extends object>(row: T, columns: readonly string[] = NUMERIC): T {
  const r = row as Record<string, unknown>;
  for (const c of columns) {
    const v = r[c];
    if (v !== null && v !== undefined && typeof v !== 'number') r[c] = Number(v);
  }
  return row;
}

/** The columns the metric catalogue reads (comparisons fetch only these: tens of thousands of rows). */
export const METRIC_COLUMNS =
  'c.instance_id, c.case_number, c.state, c.started_at, c.ended_at, c.type, c.owner, c.resolved, c.fcr, c.reopen_count, c.satisfaction, c.nps, c.response_ms, c.response_state, c.resolution_ms, c.resolution_state';

/** The matching cases with the columns exact reports need (all of CaseRow unless `columns` narrows them). */
export async function caseRows(tx: Tx, f: AnalyticsFilter, extra: string[] = [], extraParams: unknown[] = [], columns = CASE_COLUMNS): Promise<CaseRow[]> {
  const w = await whereOf(tx, f, extra, extraParams);
  const rows = await tx.all<CaseRow>(`SELECT ${columns} FROM case_facts c WHERE ${w.sql}`, w.params);
  return rows.map((r) => normalise(r));
}

/** How many cases match (for choosing between exact and pre-aggregated reads). */
export async function countCases(tx: Tx, f: AnalyticsFilter): Promise<number> {
  const w = await whereOf(tx, f);
  const r = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM case_facts c WHERE ${w.sql}`, w.params);
  return Number(r?.n ?? 0);
}
