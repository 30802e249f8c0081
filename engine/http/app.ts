/**
 * The HTTP server: schema-first fastify routes under /api, the OpenAPI document and Swagger UI,
 * security headers, and the access rule every route must declare.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorSchema } from '../../schemas/api.ts';
import { accessPlugin } from './access.ts';
import { designerStatic } from './designerStatic.ts';
import { registerErrorHandler } from './errors.ts';
import { staticRoutes } from './static.ts';
import { adminRoutes } from './routes/admin.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { authRoutes } from './routes/auth.ts';
import { customerRoutes } from './routes/customers.ts';
import { dispatchRoutes } from './routes/dispatch.ts';
import { formRoutes } from './routes/forms.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/imports.ts';
import { instanceRoutes } from './routes/instances.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { processRoutes } from './routes/processes.ts';
import { progressRoutes } from './routes/progress.ts';
import { examRoutes } from './routes/exams.ts';
import { slaRoutes } from './routes/sla.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { taskRoutes } from './routes/tasks.ts';
import { versionRoutes } from './routes/versions.ts';
import type { RouteDeps } from './types.ts';
import { LoopdeskError } from '../core/errors.ts';

export interface AppOptions extends RouteDeps {
  logger?: boolean | object;
}

const BPMN_BODY_LIMIT = 5 * 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * What to do when under-pressure reports pressure: refuse with 503 LD_OVERLOADED through the error
 * handler (localised, Retry-After) — except for an event-loop delay of Infinity, under-pressure's
 * word for "no samples in the last interval": one long task such as start-up blocked the loop, and
 * there is no queue of requests behind it. Refusing then turned the first requests after a start
 * away for no reason.
 */
export function shedLoad(type: string, value: number | undefined): Promise<void> | undefined {
  if (type === TYPE_EVENT_LOOP_DELAY && value === Number.POSITIVE_INFINITY) return undefined;
  return Promise.reject(new LoopdeskError('LD_OVERLOADED', 503, 'the server is overloaded; try again shortly'));
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BPMN_BODY_LIMIT,
    // A caller's (or load balancer's) X-Request-Id is kept when it is a sane token, so one id
    // follows a request through the proxy, the JSON logs and the audit rows; otherwise a new one.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  });
  // BPMN arrives as XML text; the deploy route parses it.
  app.addContentTypeParser(['application/xml', 'text/xml', 'application/bpmn+xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  registerErrorHandler(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(accessPlugin, { db: opts.ctx.db });
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: true } });
  await app.register(rateLimit, { global: false });
  // Shed load with 503 + Retry-After instead of falling over when the event loop is saturated.
  await app.register(underPressure, {
    maxEventLoopDelay: Number(process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS ?? 2000),
    retryAfter: 5,
    pressureHandler: (_req, _reply, type, value) => shedLoad(type, value),
  });
  app.addSchema(errorSchema);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Loopdesk API', version: opts.version, description: 'Forms and workflows for after-sales service teams.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  for (const routes of [metricsRoutes, healthRoutes, authRoutes, processRoutes, versionRoutes, formRoutes, customerRoutes, instanceRoutes, taskRoutes, slaRoutes, notificationRoutes, dispatchRoutes, attachmentRoutes, progressRoutes, knowledgeRoutes, importRoutes, analyticsRoutes, incidentRoutes, examRoutes, adminRoutes]) {
    await app.register(routes, opts);
  }
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.register(designerStatic);
  await app.register(staticRoutes);
  return app;
}
