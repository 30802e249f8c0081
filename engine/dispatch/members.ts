/**
 * Reading the organisation for dispatch: the active members of teams/departments (users keep
 * them as JSON arrays in TEXT columns), and `IN (…)` lists padded to a few sizes so the prepared-
 * statement caches of db.ts stay small whatever the group sizes are.
 */
import type { Tx } from '../store/db.ts';

export interface Member {
  username: string;
  skills: string[];
  location: string | null;
  teams: string[];
  departments: string[];
}

function list(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** LIKE pattern for `"name"` inside a JSON array text; `\` escapes LIKE's wildcards on both databases. */
const containsJsonString = (name: string) => `%${JSON.stringify(name).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function toMember(r: Record<string, unknown>): Member {
  return {
    username: r.username as string,
    skills: list(r.skills),
    location: (r.location as string | null) ?? null,
    teams: list(r.teams),
    departments: list(r.departments),
  };
}

/** Open tasks, last dispatch and current absences of the member, per row (each subquery on an index). */
const STATE_COLUMNS = `,
  (SELECT COUNT(*) FROM tasks t WHERE t.state = 'open' AND t.assignee = u.username) AS open_tasks,
  (SELECT d.last_assigned_at FROM dispatch_agents d WHERE d.username = u.username) AS last_assigned_at,
  (SELECT COUNT(*) FROM absences a WHERE a.username = u.username AND a.until_at > ? AND a.from_at <= ?) AS absences`;

export interface MemberState extends Member {
  /** Open tasks assigned to the member (a count: the tasks table has no urgency). */
  openTasks: number;
  lastAssignedAt: number | null;
  absent: boolean;
}

function toMemberState(r: Record<string, unknown>): MemberState {
  const last = r.last_assigned_at;
  return {
    username: r.username as string,
    skills: list(r.skills),
    location: (r.location as string | null) ?? null,
    teams: list(r.teams),
    departments: list(r.departments),
    openTasks: Number(r.open_tasks ?? 0),
    lastAssignedAt: last === null || last === undefined ? null : Number(last),
    absent: Number(r.absences) > 0,
  };
}

function groupFilter(groups: readonly string[]): { wanted: Set<string>; sql: string; params: string[] } {
  const wanted = new Set(groups.filter((g) => g.length > 0));
  const sql = [...wanted].map(() => "u.teams LIKE ? ESCAPE '\\' OR u.departments LIKE ? ESCAPE '\\'").join(' OR ');
  return { wanted, sql, params: [...wanted].flatMap((g) => [containsJsonString(g), containsJsonString(g)]) };
}

const belongs = (m: Member, wanted: Set<string>) => m.teams.some((t) => wanted.has(t)) || m.departments.some((d) => wanted.has(d));

/**
 * Active users whose `teams` or `departments` name one of `groups` exactly, by username. The LIKE
 * narrows the scan in SQL (portable, no JSON functions); the exact check happens here, because
 * SQLite's LIKE ignores ASCII case and a name can appear inside a longer one.
 */
export async function membersOf(tx: Tx, groups: readonly string[]): Promise<Member[]> {
  const f = groupFilter(groups);
  if (f.wanted.size === 0) return [];
  const rows = await tx.all(`SELECT u.username, u.skills, u.location, u.teams, u.departments FROM users u WHERE u.active = 1 AND (${f.sql}) ORDER BY u.username`, f.params);
  return rows.map(toMember).filter((m) => belongs(m, f.wanted));
}

/**
 * The active members of `groups` with what dispatch weighs at `now`, in one statement: a single
 * round trip matters on PostgreSQL, and on SQLite it halves the time of four separate queries.
 */
export async function membersWithState(tx: Tx, groups: readonly string[], now: number): Promise<MemberState[]> {
  const f = groupFilter(groups);
  if (f.wanted.size === 0) return [];
  const rows = await tx.all(
    `SELECT u.username, u.skills, u.location, u.teams, u.departments${STATE_COLUMNS} FROM users u WHERE u.active = 1 AND (${f.sql}) ORDER BY u.username`,
    [now, now, ...f.params],
  );
  return rows.map(toMemberState).filter((m) => belongs(m, f.wanted));
}

/** One active user with the same state, for the `explicit` strategy. */
export async function activeMemberWithState(tx: Tx, username: string, now: number): Promise<MemberState | undefined> {
  const row = await tx.get(`SELECT u.username, u.skills, u.location, u.teams, u.departments${STATE_COLUMNS} FROM users u WHERE u.username = ? AND u.active = 1`, [
    now,
    now,
    username,
  ]);
  return row && toMemberState(row);
}

/**
 * `(?, ?, …)` for `values`, padded with NULLs (which match nothing) to the next of 8, 16, 32, …
 * so a thousand different group sizes make a dozen statement texts, not a thousand.
 */
export function inList(values: readonly unknown[]): { sql: string; params: unknown[] } {
  let size = 8;
  while (size < values.length) size *= 2;
  const params = [...values];
  while (params.length < size) params.push(null);
  return { sql: `(${params.map(() => '?').join(', ')})`, params };
}
