/**
 * resolveAssignment against a real database (SQLite and PostgreSQL): candidates come from users'
 * teams and departments, load from open tasks, absences and the business calendar rule people out,
 * round-robin remembers who went last, and a strategy that finds nobody leaves the task in the
 * group queue and tells the department head.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headOf } from '../../../engine/dispatch/org.ts';
import { type ResolveInput, resolveAssignment } from '../../../engine/dispatch/resolve.ts';
import { newId } from '../../../engine/core/ids.ts';
import { BusinessCalendar } from '../../../engine/sla/calendar.ts';
import type { Db } from '../../../engine/store/db.ts';
import { openDatabase, parseDatabaseUrl } from '../../../engine/store/schema.ts';
import { backends, freshDatabaseUrl } from '../../helpers/backends.ts';

const cnMainland = new BusinessCalendar(JSON.parse(readFileSync(new URL('../../../definitions/calendars/cn-mainland.json', import.meta.url), 'utf8')));
/** Monday 2026-03-09 10:00 in Shanghai: working time. */
const MONDAY_10 = Date.parse('2026-03-09T10:00:00+08:00');
/** Sunday 2026-03-08 10:00: not working time. */
const SUNDAY_10 = Date.parse('2026-03-08T10:00:00+08:00');
const HOUR = 3_600_000;

interface UserSeed {
  teams?: string[];
  departments?: string[];
  skills?: string[];
  location?: string | null;
  active?: boolean;
  open?: number;
  done?: number;
}

describe.each(await backends())('resolveAssignment on %s', (backend) => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl(backend);
    drop = fresh.drop;
    db = await openDatabase(parseDatabaseUrl(fresh.url, ''));
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  async function user(username: string, u: UserSeed = {}): Promise<void> {
    await db.run(
      `INSERT INTO users (id, username, password_hash, display_name, roles, teams, departments, skills, permissions, location, active, failed_logins, created_at)
       VALUES (?, ?, 'x', NULL, '["agent"]', ?, ?, ?, '[]', ?, ?, 0, 0)`,
      [newId(), username, JSON.stringify(u.teams ?? []), JSON.stringify(u.departments ?? []), JSON.stringify(u.skills ?? []), u.location ?? null, u.active === false ? 0 : 1],
    );
    for (let i = 0; i < (u.open ?? 0) + (u.done ?? 0); i++) await task(username, i < (u.open ?? 0) ? 'open' : 'completed');
  }

  async function task(assignee: string | null, state = 'open'): Promise<string> {
    const id = newId();
    await db.run(
      `INSERT INTO tasks (id, instance_id, process_key, node_id, token_id, state, assignee, candidate_groups, candidate_users, created_at)
       VALUES (?, 'inst', 'p', 'n', 1, ?, ?, '[]', '[]', 0)`,
      [id, state, assignee],
    );
    return id;
  }

  async function absence(username: string, from: number, until: number): Promise<void> {
    await db.run('INSERT INTO absences (id, username, from_at, until_at, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, 0, ?)', [
      newId(),
      username,
      from,
      until,
      '年假',
      username,
    ]);
  }

  async function department(key: string, head: string | null, parent: string | null = null): Promise<void> {
    await db.run('INSERT INTO departments (key, name, head, parent, updated_at, updated_by) VALUES (?, ?, ?, ?, 0, ?)', [key, key, head, parent, 'admin']);
  }

  const resolve = (input: Partial<ResolveInput> & Pick<ResolveInput, 'strategy' | 'groups'>) =>
    db.transaction((tx) => resolveAssignment(tx, { now: MONDAY_10, ...input }));

  it('R11: skills needs every tag, prefers the customer region, then the lowest open load', async () => {
    const ac = ['空调维修', 'English'];
    await user('s-wang', { teams: ['s-tech'], skills: ac, location: '华东', open: 3 });
    await user('s-li', { teams: ['s-tech'], skills: ac, location: '华东', open: 1, done: 5 });
    await user('s-zhao', { teams: ['s-tech'], skills: ac, location: '华南' });
    await user('s-chen', { teams: ['s-tech'], skills: ['English'], location: '华东' });
    await user('s-sun', { teams: ['s-elsewhere'], skills: ac, location: '华东' });
    await user('s-gone', { teams: ['s-tech'], skills: ac, location: '华东', active: false });

    const r = await resolve({ strategy: 'skills', groups: ['s-tech'], skills: ac, location: '华东' });
    expect(r).toMatchObject({ assignee: 's-li', code: 'assigned', fallback: false });
    expect(r.reason).toContain('华东');
    // Completed tasks are no load; in another region the idle one wins.
    expect((await resolve({ strategy: 'skills', groups: ['s-tech'], skills: ac, location: '华北' })).assignee).toBe('s-zhao');
    // Absent now: the next best in the region.
    await absence('s-li', MONDAY_10 - HOUR, MONDAY_10 + 8 * HOUR);
    expect((await resolve({ strategy: 'skills', groups: ['s-tech'], skills: ac, location: '华东' })).assignee).toBe('s-wang');
    // An absence that is over, or not begun, does not count.
    expect((await resolve({ strategy: 'skills', groups: ['s-tech'], skills: ac, location: '华东', now: MONDAY_10 + 9 * HOUR })).assignee).toBe('s-li');
  });

  it('R11: least-loaded counts open tasks of the group members; departments are groups too', async () => {
    await user('l-a', { departments: ['l-dept'], open: 2 });
    await user('l-b', { teams: ['l-team'], departments: ['l-dept'], open: 1 });
    await user('l-c', { teams: ['l-team'], open: 4 });
    expect((await resolve({ strategy: 'least-loaded', groups: ['l-dept'] })).assignee).toBe('l-b');
    expect((await resolve({ strategy: 'least-loaded', groups: ['l-team', 'l-dept'] })).assignee).toBe('l-b');
  });

  it('R11: least-loaded weighs open tasks by urgency when the caller knows them', async () => {
    await user('w-a');
    await user('w-b');
    const urgent = await task('w-a');
    const normal1 = await task('w-b');
    const normal2 = await task('w-b');
    await db.run("UPDATE users SET teams = '[\"w-team\"]' WHERE username IN ('w-a', 'w-b')");
    // Counted: a has 1, b has 2. Weighted: a's urgent task is 3, b's two normal ones 2.
    expect((await resolve({ strategy: 'least-loaded', groups: ['w-team'] })).assignee).toBe('w-a');
    const urgencyOf = new Map([
      [urgent, 'urgent'],
      [normal1, 'normal'],
      [normal2, 'normal'],
    ]);
    expect((await resolve({ strategy: 'least-loaded', groups: ['w-team'], urgencyOf })).assignee).toBe('w-b');
  });

  it('R11: round-robin rotates through the available members in a stable order', async () => {
    for (const name of ['r-c', 'r-a', 'r-b', 'r-d']) await user(name, { teams: ['r-team'] });
    await absence('r-d', MONDAY_10 - HOUR, MONDAY_10 + 100 * HOUR);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push((await resolve({ strategy: 'round-robin', groups: ['r-team'], now: MONDAY_10 + i * 1000 })).assignee!);
    expect(order).toEqual(['r-a', 'r-b', 'r-c', 'r-a', 'r-b', 'r-c']);
  });

  it('R11: outside the calendar’s working hours nobody is available and the task waits in the queue', async () => {
    await user('c-a', { teams: ['c-team'] });
    expect((await resolve({ strategy: 'least-loaded', groups: ['c-team'], calendar: cnMainland })).assignee).toBe('c-a');
    const r = await resolve({ strategy: 'least-loaded', groups: ['c-team'], calendar: cnMainland, now: SUNDAY_10 });
    expect(r).toMatchObject({ assignee: null, code: 'nobody-available', group: 'c-team', fallback: true });
    expect(r.reason).toMatch(/outside working hours/);
  });

  it('R12: a strategy that finds nobody falls back to the group queue and notifies the department head', async () => {
    await user('f-head');
    await user('f-a', { teams: ['f-team'], departments: ['f-dept'], skills: ['English'] });
    await user('f-b', { teams: ['f-team'], departments: ['f-dept'], skills: ['English'] });
    await department('f-dept', 'f-head');
    await absence('f-a', MONDAY_10 - HOUR, MONDAY_10 + HOUR);
    await absence('f-b', MONDAY_10 - HOUR, MONDAY_10 + HOUR);
    const instanceId = newId();
    const r = await resolve({
      strategy: 'skills',
      groups: ['f-team'],
      skills: ['English'],
      notify: { instanceId, taskId: 't-1', taskName: '处理投诉', businessKey: 'FB202603001' },
    });
    expect(r).toMatchObject({ assignee: null, group: 'f-team', fallback: true, code: 'nobody-available', head: 'f-head', notified: true });
    const rows = await db.all<{ kind: string; payload: string; state: string }>('SELECT kind, payload, state FROM outbox WHERE instance_id = ?', [instanceId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'notification', state: 'pending' });
    const payload = JSON.parse(rows[0]!.payload);
    expect(payload).toMatchObject({ to: 'user:f-head', channel: 'in-app', businessKey: 'FB202603001', fields: { group: 'f-team', code: 'nobody-available', taskId: 't-1' } });

    // Nobody with the skill at all: same fallback, its own reason; the 'group' strategy queues without alarm.
    const noSkill = await resolve({ strategy: 'skills', groups: ['f-team'], skills: ['日语'], now: MONDAY_10 + 2 * HOUR });
    expect(noSkill).toMatchObject({ assignee: null, code: 'no-skill-match', head: 'f-head', notified: false });
    expect(await resolve({ strategy: 'group', groups: ['f-team'] })).toMatchObject({ assignee: null, code: 'queue', fallback: false, group: 'f-team' });
    expect(await resolve({ strategy: 'least-loaded', groups: ['nobody-here'] })).toMatchObject({ assignee: null, code: 'no-members', fallback: true });
    expect(await resolve({ strategy: 'least-loaded', groups: [] })).toMatchObject({ assignee: null, code: 'no-groups' });
  });

  it('R11: explicit takes the named active user, unless absent', async () => {
    await user('e-a', { teams: ['e-team'] });
    expect((await resolve({ strategy: 'explicit', groups: ['e-team'], assignee: 'e-a' })).assignee).toBe('e-a');
    expect(await resolve({ strategy: 'explicit', groups: ['e-team'], assignee: 'e-ghost' })).toMatchObject({ assignee: null, code: 'explicit-missing' });
    await absence('e-a', MONDAY_10, MONDAY_10 + HOUR);
    expect(await resolve({ strategy: 'explicit', groups: ['e-team'], assignee: 'e-a' })).toMatchObject({ assignee: null, code: 'explicit-unavailable', group: 'e-team' });
  });

  it('R12: the head of a team is the head of its members’ department, or of a parent department', async () => {
    await user('h-boss');
    await user('h-x', { teams: ['h-team'], departments: ['h-dept'] });
    await user('h-y', { teams: ['h-team'], departments: ['h-dept', 'h-other'] });
    await department('h-dept', 'h-boss');
    await department('h-other', null);
    await department('h-sub', null, 'h-dept');
    await db.transaction(async (tx) => {
      expect(await headOf(tx, 'h-team')).toBe('h-boss');
      expect(await headOf(tx, 'h-dept')).toBe('h-boss');
      expect(await headOf(tx, 'h-sub')).toBe('h-boss');
      expect(await headOf(tx, 'h-nowhere')).toBeNull();
    });
  });
});
