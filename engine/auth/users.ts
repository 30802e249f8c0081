/**
 * Local accounts: roles (agent, supervisor, admin), teams, departments, skills and location. The
 * first start of an empty database creates `admin` with LOOPDESK_ADMIN_PASSWORD or a generated
 * password printed once.
 */
import { newId } from '../core/ids.ts';
import { randomBytes } from 'node:crypto';
import { LoopdeskError } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Db, Tx } from '../store/db.ts';
import type { Principal } from '../usecases/context.ts';
import { hashPassword } from './passwords.ts';

export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Permissions every member of a role holds, beside those granted to the user directly. */
const ROLE_PERMISSIONS: Record<Role, string[]> = {
  agent: [],
  supervisor: ['pii:read'],
  admin: ['pii:read'],
};

/** Whether someone with these roles and direct permissions may see personal data unmasked (R39). */
export function maySeePersonalData(roles: readonly string[], permissions: readonly string[]): boolean {
  return permissions.includes('pii:read') || roles.some((r) => (ROLE_PERMISSIONS as Record<string, string[]>)[r]?.includes('pii:read'));
}

export interface UserInput {
  username: string;
  password: string;
  displayName?: string;
  roles: Role[];
  teams?: string[];
  departments?: string[];
  skills?: string[];
  permissions?: string[];
  location?: string | null;
}

export interface UserRecord extends Principal {
  displayName: string | null;
  location: string | null;
  active: boolean;
  passwordHash: string;
  failedLogins: number;
  lockedUntil: number | null;
  createdAt: number;
}

export function toUser(r: Record<string, unknown>): UserRecord {
  const roles = JSON.parse(r.roles as string) as Role[];
  const own = JSON.parse(r.permissions as string) as string[];
  return {
    id: r.id as string,
    username: r.username as string,
    displayName: (r.display_name as string | null) ?? null,
    roles,
    teams: JSON.parse(r.teams as string),
    departments: JSON.parse(r.departments as string),
    skills: JSON.parse(r.skills as string),
    permissions: [...new Set([...own, ...roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? [])])],
    location: (r.location as string | null) ?? null,
    active: Number(r.active) === 1,
    passwordHash: r.password_hash as string,
    failedLogins: Number(r.failed_logins ?? 0),
    lockedUntil: (r.locked_until as number | null) ?? null,
    createdAt: r.created_at as number,
  };
}

/** What the API shows of a user: never the hash. */
export function publicUser(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    teams: u.teams,
    departments: u.departments,
    skills: u.skills,
    permissions: u.permissions,
    location: u.location,
    active: u.active,
  };
}

export async function findUserByName(tx: Tx, username: string): Promise<UserRecord | undefined> {
  const row = await tx.get('SELECT * FROM users WHERE username = ?', [username]);
  return row && toUser(row);
}

export async function findUserById(tx: Tx, id: string): Promise<UserRecord | undefined> {
  const row = await tx.get('SELECT * FROM users WHERE id = ?', [id]);
  return row && toUser(row);
}

export async function createUser(db: Db, input: UserInput, actor: string, now: number, requestId?: string): Promise<UserRecord> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => insertUser(tx, input, passwordHash, actor, now, requestId)).catch((err) => {
    // Two creations racing past the existence check: the unique index decides (23505 on PostgreSQL).
    const code = (err as { code?: string }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new LoopdeskError('LD_USER_EXISTS', 409, `user ${input.username} already exists`, [{ path: '/username', message: 'already taken' }]);
    }
    throw err;
  });
}

async function insertUser(tx: Tx, input: UserInput, passwordHash: string, actor: string, now: number, requestId?: string): Promise<UserRecord> {
  if (await findUserByName(tx, input.username)) {
    throw new LoopdeskError('LD_USER_EXISTS', 409, `user ${input.username} already exists`, [{ path: '/username', message: 'already taken' }]);
  }
  const id = newId();
  await tx.run(
    `INSERT INTO users (id, username, password_hash, display_name, roles, teams, departments, skills, permissions, location, active, failed_logins, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?)`,
    [
      id,
      input.username,
      passwordHash,
      input.displayName ?? null,
      JSON.stringify(input.roles),
      JSON.stringify(input.teams ?? []),
      JSON.stringify(input.departments ?? []),
      JSON.stringify(input.skills ?? []),
      JSON.stringify(input.permissions ?? []),
      input.location ?? null,
      now,
    ],
  );
  const { password: _omit, ...rest } = input;
  await audit(tx, now, { actor, action: 'user.create', entityType: 'user', entityId: id, after: rest, requestId });
  return (await findUserById(tx, id))!;
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  return (await db.all('SELECT * FROM users ORDER BY username')).map(toUser);
}

/** Creates the first admin when there are no users; returns the generated password to print once. */
export async function ensureAdmin(db: Db, now: number, password = process.env.LOOPDESK_ADMIN_PASSWORD): Promise<string | null> {
  const any = await db.get('SELECT id FROM users LIMIT 1');
  if (any) return null;
  const chosen = password || randomBytes(12).toString('base64url');
  try {
    await createUser(db, { username: 'admin', password: chosen, roles: ['admin'], displayName: 'Administrator' }, 'system', now);
  } catch (err) {
    // Another node created it first.
    if (err instanceof LoopdeskError && err.code === 'LD_USER_EXISTS') return null;
    throw err;
  }
  return password ? null : chosen;
}
