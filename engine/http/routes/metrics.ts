import type { FastifyInstance } from 'fastify';
import { LoopdeskError } from '../../core/errors.ts';
import { httpResponses, jobQueueDepth, registry } from '../../observability/metrics.ts';
import { bearerToken } from '../access.ts';
import type { RouteDeps } from '../types.ts';

/**
 * `GET /metrics` in the Prometheus text format. Open to scrapers on the internal network by
 * default (it holds no personal data); set LOOPDESK_METRICS_TOKEN to require that bearer token.
 */
export async function metricsRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  app.addHook('onResponse', async (_req, reply) => {
    httpResponses.inc({ status: String(reply.statusCode) });
  });
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const token = process.env.LOOPDESK_METRICS_TOKEN;
    if (token && bearerToken(req) !== token) throw new LoopdeskError('LD_UNAUTHENTICATED', 401, 'send the metrics token');
    const depth = await ctx.db.all<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM jobs GROUP BY kind');
    jobQueueDepth.reset();
    for (const d of depth) jobQueueDepth.set({ kind: d.kind }, Number(d.n));
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
