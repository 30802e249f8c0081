import type { FastifyInstance } from 'fastify';
import { createUserBody, errorResponses, loginBody, loginResponse, userSchema } from '../../../schemas/api.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { createSession, revokeSession } from '../../auth/sessions.ts';
import { createUser, findUserByName, listUsers, publicUser } from '../../auth/users.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { bearerToken } from '../access.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60 * 1000;

export async function authRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const db = ctx.db;

  r.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], body: loginBody, response: { 200: loginResponse, ...errorResponses } },
    },
    async (req) => {
      const now = Date.now();
      const user = await findUserByName(db, req.body.username);
      if (user?.lockedUntil && user.lockedUntil > now) {
        throw new LoopdeskError('LD_LOGIN_LOCKED', 429, 'too many failed logins; try again later');
      }
      const ok = user?.active ? await verifyPassword(user.passwordHash, req.body.password) : false;
      if (!user || !ok) {
        if (user) {
          const failed = user.failedLogins + 1;
          await db.run('UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?', [
            failed >= MAX_FAILED_LOGINS ? 0 : failed,
            failed >= MAX_FAILED_LOGINS ? now + LOCKOUT_MS : null,
            user.id,
          ]);
        }
        throw new LoopdeskError('LD_LOGIN_FAILED', 401, 'wrong user name or password');
      }
      if (user.failedLogins) await db.run('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?', [user.id]);
      const session = await createSession(db, user.id, now);
      return { token: session.token, expiresAt: session.expiresAt, user: publicUser(user) };
    },
  );

  r.post('/api/auth/logout', { config: { access: 'user' }, schema: { tags: ['auth'], response: { 204: { type: 'null' } } } }, async (req, reply) => {
    const token = bearerToken(req);
    if (token) await revokeSession(db, token);
    return reply.status(204).send(null);
  });

  r.get('/api/auth/me', { config: { access: 'user' }, schema: { tags: ['auth'], response: { 200: userSchema } } }, async (req) =>
    publicUser(userOf(req)),
  );

  r.post(
    '/api/users',
    { config: { access: ['admin'] }, schema: { tags: ['users'], body: createUserBody, response: { 201: userSchema, ...errorResponses } } },
    async (req, reply) => {
      const user = await createUser(db, req.body, userOf(req).username, Date.now(), req.id);
      return reply.status(201).send(publicUser(user));
    },
  );

  r.get(
    '/api/users',
    { config: { access: ['admin', 'supervisor'] }, schema: { tags: ['users'], response: { 200: { type: 'array', items: userSchema } } } },
    async () => (await listUsers(db)).map(publicUser),
  );
}
