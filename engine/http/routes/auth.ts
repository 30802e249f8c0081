import type { FastifyInstance } from 'fastify';
import { createUserBody, errorResponses, loginBody, loginResponse, userSchema } from '../../../schemas/api.ts';
import { OidcLogin, OidcLoginError } from '../../auth/oidc.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { createSession, revokeSession } from '../../auth/sessions.ts';
import { createUser, findUserByName, listUsers, publicUser } from '../../auth/users.ts';
import { audit } from '../../store/audit.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { bearerToken } from '../access.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60 * 1000;

export async function authRoutes(app: FastifyInstance, { ctx, oidc }: RouteDeps) {
  const r = typed(app);
  const db = ctx.db;
  const oidcLogin = oidc ? new OidcLogin(oidc, db) : undefined;

  r.get(
    '/api/auth/oidc',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        description: 'Whether sign-in with the company identity provider (OpenID Connect) is configured; the login screen shows its button then.',
        response: { 200: { type: 'object', additionalProperties: false, required: ['enabled'], properties: { enabled: { type: 'boolean' } } } },
      },
    },
    async () => ({ enabled: Boolean(oidcLogin) }),
  );

  r.get(
    '/api/auth/oidc/start',
    {
      config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], description: 'Sends the browser to the identity provider (authorization code flow with PKCE).', response: errorResponses },
    },
    async (_req, reply) => {
      if (!oidcLogin) throw new LoopdeskError('LD_OIDC_DISABLED', 404, 'sign-in with an identity provider is not configured');
      try {
        return reply.redirect(await oidcLogin.start(Date.now()), 302);
      } catch (err) {
        app.log.error({ err }, 'OIDC provider unreachable');
        throw new LoopdeskError('LD_OIDC_UNAVAILABLE', 503, 'the identity provider cannot be reached; try again or sign in with a password');
      }
    },
  );

  r.get(
    '/api/auth/oidc/callback',
    {
      config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description:
          'Where the identity provider sends the browser back. On success the browser goes to the runtime UI with the session token in the URL fragment (never sent to a server or logged); otherwise to the login screen with ?oidcError=expired|denied|unknown-user|failed.',
        querystring: { type: 'object', additionalProperties: true, properties: { state: { type: 'string', maxLength: 200 }, code: { type: 'string', maxLength: 4000 } } },
        response: errorResponses,
      },
    },
    async (req, reply) => {
      if (!oidcLogin) throw new LoopdeskError('LD_OIDC_DISABLED', 404, 'sign-in with an identity provider is not configured');
      const now = Date.now();
      const search = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1 || req.url.length));
      try {
        const user = await oidcLogin.finish(search, now);
        const session = await createSession(db, user.id, now);
        await db.transaction((tx) => audit(tx, now, { actor: user.username, action: 'auth.oidc-login', entityType: 'user', entityId: user.id, requestId: req.id }));
        return reply.header('cache-control', 'no-store').redirect(`/inbox#token=${encodeURIComponent(session.token)}`, 302);
      } catch (err) {
        if (!(err instanceof OidcLoginError)) throw err;
        req.log.warn({ reason: err.reason, detail: err.message }, 'OIDC sign-in refused');
        return reply.redirect(`/inbox?oidcError=${err.reason}`, 302);
      }
    },
  );

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
