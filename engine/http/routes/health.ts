import type { FastifyInstance } from 'fastify';
import { healthResponse } from '../../../schemas/api.ts';
import { type RouteDeps, typed } from '../types.ts';

export async function healthRoutes(app: FastifyInstance, { ctx, version }: RouteDeps) {
  typed(app).get(
    '/api/health',
    { config: { access: 'public' }, schema: { tags: ['system'], response: { 200: healthResponse } } },
    async () => {
      await ctx.db.get('SELECT 1 AS ok');
      return { status: 'ok' as const, database: ctx.db.kind, version, clock: ctx.clock.manual ? ('manual' as const) : ('system' as const), now: ctx.clock.now() };
    },
  );
}
