import type { FastifyInstance } from 'fastify';
import { completeTaskBody, errorResponses, idParams, taskListQuery, taskListResponse, taskSchema } from '../../../schemas/api.ts';
import { claimTask, completeTask, getTask, listTasks, unclaimTask } from '../../usecases/tasks.ts';
import { taskCompletionSeconds } from '../../observability/metrics.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function taskRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const one = { tags: ['tasks'], params: idParams, response: { 200: taskSchema, ...errorResponses } };

  r.get(
    '/api/tasks',
    { config: { access: 'user' }, schema: { tags: ['tasks'], querystring: taskListQuery, response: { 200: taskListResponse, ...errorResponses } } },
    async (req) => listTasks(ctx, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }, userOf(req)),
  );

  r.get('/api/tasks/:id', { config: { access: 'user' }, schema: one }, async (req) => getTask(ctx, req.params.id, userOf(req)));

  r.post('/api/tasks/:id/claim', { config: { access: 'user' }, schema: one }, async (req) => claimTask(ctx, req.params.id, userOf(req), req.id));

  r.post('/api/tasks/:id/unclaim', { config: { access: 'user' }, schema: one }, async (req) =>
    unclaimTask(ctx, req.params.id, userOf(req), req.id),
  );

  r.post(
    '/api/tasks/:id/complete',
    { config: { access: 'user' }, schema: { ...one, body: completeTaskBody } },
    async (req) => {
      const stop = taskCompletionSeconds.startTimer();
      const done = await completeTask(ctx, req.params.id, (req.body?.data ?? {}) as Record<string, unknown>, userOf(req), { requestId: req.id, lang: req.lang });
      stop();
      return done;
    },
  );
}
