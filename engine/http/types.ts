import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OidcSettings } from '../auth/oidc.ts';
import type { UserRecord } from '../auth/users.ts';
import type { JobRunner } from '../jobs/JobRunner.ts';
import type { EngineContext } from '../usecases/context.ts';
import { LoopdeskError } from '../core/errors.ts';

/** What route plugins receive from the server. */
export interface RouteDeps {
  ctx: EngineContext;
  runner: JobRunner;
  version: string;
  /** Set when sign-in through an OpenID Connect provider is configured. */
  oidc?: OidcSettings;
}

export type TypedApp = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;

export const typed = (app: FastifyInstance) => app.withTypeProvider<JsonSchemaToTsProvider>();

/** The logged-in user of a route that declared access other than 'public'. */
export function userOf(req: FastifyRequest): UserRecord {
  if (!req.user) throw new LoopdeskError('LD_UNAUTHENTICATED', 401, 'log in first');
  return req.user;
}
