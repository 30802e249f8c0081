/**
 * Departments with heads, and absences: the organisation data dispatch reads. Admins maintain
 * departments; absences are entered by the user themself or a supervisor. Every change is audited
 * in its own transaction.
 */
import { findUserByName } from '../auth/users.ts';
import { LoopdeskError, forbidden, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { inList, membersOf } from './members.ts';

export interface DepartmentView {
  key: string;
  name: string;
  head: string | null;
  parent: string | null;
  updatedAt: number;
  updatedBy: string;
}

export interface AbsenceView {
  id: string;
  username: string;
  /** ISO 8601 instants; the absence covers [from, until). */
  from: string;
  until: string;
  reason: string;
  createdAt: number;
  createdBy: string;
}

const toDepartment = (r: Record<string, unknown>): DepartmentView => ({
  key: r.key as string,
  name: r.name as string,
  head: (r.head as string | null) ?? null,
  parent: (r.parent as string | null) ?? null,
  updatedAt: r.updated_at as number,
  updatedBy: r.updated_by as string,
});

const toAbsence = (r: Record<string, unknown>): AbsenceView => ({
  id: r.id as string,
  username: r.username as string,
  from: new Date(r.from_at as number).toISOString(),
  until: new Date(r.until_at as number).toISOString(),
  reason: r.reason as string,
  createdAt: r.created_at as number,
  createdBy: r.created_by as string,
});

const invalid = (path: string, message: string) => new LoopdeskError('LD_VALIDATION', 422, message, [{ path, message }]);

/** Parent chains are short; a longer one is a cycle written behind the API's back. */
const MAX_DEPTH = 32;

export async function listDepartments(tx: Tx): Promise<DepartmentView[]> {
  return (await tx.all('SELECT * FROM departments ORDER BY key')).map(toDepartment);
}

/** Creates or replaces a department; the head must be an existing user, the parent an existing department, without cycles. */
export async function saveDepartment(
  ctx: EngineContext,
  input: { key: string; name: string; head?: string | null; parent?: string | null },
  actor: Principal,
  requestId?: string,
): Promise<{ created: boolean; department: DepartmentView }> {
  return command(ctx, async (tx, now) => {
    const head = input.head ?? null;
    const parent = input.parent ?? null;
    if (head && !(await findUserByName(tx, head))) throw invalid('/body/head', `user ${head} does not exist`);
    if (parent) {
      let at: string | null = parent;
      for (let depth = 0; at; depth++) {
        if (at === input.key || depth > MAX_DEPTH) throw invalid('/body/parent', `department ${parent} is ${input.key} or below it: departments cannot form a cycle`);
        const row: { parent: string | null } | undefined = await tx.get<{ parent: string | null }>('SELECT parent FROM departments WHERE key = ?', [at]);
        if (!row) {
          if (at === parent) throw invalid('/body/parent', `department ${parent} does not exist`);
          break;
        }
        at = row.parent;
      }
    }
    const before = await tx.get('SELECT * FROM departments WHERE key = ?', [input.key]);
    if (before) {
      await tx.run('UPDATE departments SET name = ?, head = ?, parent = ?, updated_at = ?, updated_by = ? WHERE key = ?', [
        input.name,
        head,
        parent,
        now,
        actor.username,
        input.key,
      ]);
    } else {
      await tx.run('INSERT INTO departments (key, name, head, parent, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)', [
        input.key,
        input.name,
        head,
        parent,
        now,
        actor.username,
      ]);
    }
    const department: DepartmentView = { key: input.key, name: input.name, head, parent, updatedAt: now, updatedBy: actor.username };
    await audit(tx, now, {
      actor: actor.username,
      action: before ? 'department.update' : 'department.create',
      entityType: 'department',
      entityId: input.key,
      before: before ? toDepartment(before) : undefined,
      after: department,
      requestId,
    });
    return { created: !before, department };
  });
}

/** The head of `key` or, when it has none, of the nearest ancestor that has one; undefined when `key` is no department. */
async function departmentHead(tx: Tx, key: string): Promise<string | null | undefined> {
  let at: string | null = key;
  for (let depth = 0; at && depth <= MAX_DEPTH; depth++) {
    const row: { head: string | null; parent: string | null } | undefined = await tx.get<{ head: string | null; parent: string | null }>(
      'SELECT head, parent FROM departments WHERE key = ?',
      [at],
    );
    if (!row) return depth === 0 ? undefined : null;
    if (row.head) return row.head;
    at = row.parent;
  }
  return null;
}

/**
 * Who answers for a group's queue (R8, R12): for a department, its head (or the nearest ancestor's
 * head); for a team that is registered as a department (with a parent), the same. For any other
 * team: the head of the department most of the team's active members belong to (ties by key), or
 * of the next most common one that has a head. Null when nobody can be found.
 */
export async function headOf(tx: Tx, group: string): Promise<string | null> {
  const own = await departmentHead(tx, group);
  if (own !== undefined) return own;
  const counts = new Map<string, number>();
  for (const m of await membersOf(tx, [group])) {
    for (const d of new Set(m.departments)) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [dept] of ranked) {
    const head = await departmentHead(tx, dept);
    if (head) return head;
  }
  return null;
}

/** Usernames among `usernames` with an absence covering `at`. */
export async function absentAt(tx: Tx, usernames: readonly string[], at: number): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const list = inList(usernames);
  const rows = await tx.all<{ username: string }>(`SELECT username FROM absences WHERE username IN ${list.sql} AND until_at > ? AND from_at <= ?`, [
    ...list.params,
    at,
    at,
  ]);
  return new Set(rows.map((r) => r.username));
}

function mayManageAbsences(who: Principal, username: string): boolean {
  return who.username === username || isSupervisor(who);
}

async function requireUser(tx: Tx, username: string): Promise<void> {
  if (!(await findUserByName(tx, username))) throw notFound('user', username);
}

export async function listAbsences(ctx: EngineContext, username: string, who: Principal): Promise<AbsenceView[]> {
  await requireUser(ctx.db, username);
  if (!mayManageAbsences(who, username)) throw forbidden(`only ${username} or a supervisor may see these absences`);
  return (await ctx.db.all('SELECT * FROM absences WHERE username = ? ORDER BY from_at, id', [username])).map(toAbsence);
}

export async function addAbsence(
  ctx: EngineContext,
  username: string,
  input: { from: string; until: string; reason: string },
  who: Principal,
  requestId?: string,
): Promise<AbsenceView> {
  const from = Date.parse(input.from);
  const until = Date.parse(input.until);
  if (Number.isNaN(from)) throw invalid('/body/from', 'from must be an ISO 8601 date-time');
  if (Number.isNaN(until)) throw invalid('/body/until', 'until must be an ISO 8601 date-time');
  if (until <= from) throw invalid('/body/until', 'until must be later than from');
  const reason = input.reason.trim();
  if (!reason) throw invalid('/body/reason', 'a reason is required');
  return command(ctx, async (tx, now) => {
    await requireUser(tx, username);
    if (!mayManageAbsences(who, username)) throw forbidden(`only ${username} or a supervisor may record an absence for ${username}`);
    const id = newId();
    await tx.run('INSERT INTO absences (id, username, from_at, until_at, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      id,
      username,
      from,
      until,
      reason,
      now,
      who.username,
    ]);
    const view = toAbsence({ id, username, from_at: from, until_at: until, reason, created_at: now, created_by: who.username });
    await audit(tx, now, { actor: who.username, action: 'absence.create', entityType: 'user', entityId: username, after: view, requestId });
    return view;
  });
}

export async function removeAbsence(ctx: EngineContext, username: string, id: string, who: Principal, requestId?: string): Promise<void> {
  await command(ctx, async (tx, now) => {
    const row = await tx.get('SELECT * FROM absences WHERE id = ? AND username = ?', [id, username]);
    if (!row) throw notFound('absence', id);
    if (!mayManageAbsences(who, username)) throw forbidden(`only ${username} or a supervisor may remove this absence`);
    await tx.run('DELETE FROM absences WHERE id = ?', [id]);
    await audit(tx, now, { actor: who.username, action: 'absence.delete', entityType: 'user', entityId: username, before: toAbsence(row), requestId });
  });
}
