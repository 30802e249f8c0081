/**
 * Bearer tokens: 32 random bytes handed to the client once; only their SHA-256 is stored, so a
 * leaked database does not leak sessions. Tokens expire and can be revoked (logout).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { type UserRecord, toUser } from './users.ts';

export const SESSION_TTL_MS = 12 * 3600 * 1000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(db: Db, userId: string, now: number): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await db.run('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, 0)', [
    digest(token),
    userId,
    now,
    expiresAt,
  ]);
  return { token, expiresAt };
}

/** The active user a token belongs to, or undefined when unknown, expired, revoked or deactivated. */
export async function userForToken(db: Db, token: string, now: number): Promise<UserRecord | undefined> {
  const row = await db.get<Record<string, unknown>>(
    'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.revoked = 0 AND s.expires_at > ?',
    [digest(token), now],
  );
  if (!row) return undefined;
  const user = toUser(row);
  return user.active ? user : undefined;
}

export async function revokeSession(db: Db, token: string): Promise<void> {
  await db.run('UPDATE sessions SET revoked = 1 WHERE token_hash = ?', [digest(token)]);
}
