/**
 * Every route declares who may call it in `config.access`; the server refuses to start with a route
 * that does not (security by default). 'public' needs no login, 'user' any logged-in user, a role
 * list any user holding one of them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { userForToken } from '../auth/sessions.ts';
import type { UserRecord } from '../auth/users.ts';
import { LoopdeskError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';

export type Access = 'public' | 'user' | ('agent' | 'supervisor' | 'admin')[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with the access it declared, for the authorisation tests and the docs. */
    routeAccess: { method: string; url: string; access: Access }[];
  }
  interface FastifyRequest {
    user: UserRecord | null;
    lang: 'zh-CN' | 'en';
  }
}

/** Routes registered by third-party plugins (Swagger UI) that are public by nature. */
const PUBLIC_PREFIXES = ['/api/docs'];

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export function languageOf(req: FastifyRequest): 'zh-CN' | 'en' {
  const h = String(req.headers['accept-language'] ?? '');
  return /^zh/i.test(h.trim()) ? 'zh-CN' : 'en';
}

export const accessPlugin = fp(async (app: FastifyInstance, opts: { db: Db }) => {
  app.decorateRequest('user', null);
  app.decorateRequest('lang', 'en');
  const table: FastifyInstance['routeAccess'] = [];
  app.decorate('routeAccess', table);
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    if (methods.length === 0) return;
    const config = (route.config ?? {}) as { access?: Access };
    let access = config.access;
    if (!access && PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
      access = 'public';
      route.config = { ...(route.config as object), access } as typeof route.config;
    }
    if (!access) throw new Error(`route ${methods.join(',')} ${route.url} does not declare config.access`);
    for (const method of methods) table.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (req) => {
    req.lang = languageOf(req);
    const access = (req.routeOptions.config as { access?: Access }).access;
    if (!access || access === 'public') return;
    const token = bearerToken(req);
    const user = token ? await userForToken(opts.db, token, Date.now()) : undefined;
    if (!user) throw new LoopdeskError('LD_UNAUTHENTICATED', 401, 'log in first: send Authorization: Bearer <token>');
    req.user = user;
    if (access !== 'user' && !access.some((role) => user.roles.includes(role))) {
      throw new LoopdeskError('LD_FORBIDDEN', 403, `this needs one of the roles ${access.join(', ')}`);
    }
  });
});
