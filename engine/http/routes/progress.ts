import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import { addProgressBody, progressEntrySchema, progressListQuery, progressListResponse } from '../../../schemas/progress.ts';
import { addProgress, listProgress } from '../../progress/index.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function progressRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const tags = ['progress'];

  r.post(
    '/api/instances/:id/progress',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description:
          "Adds an entry to the case's progress log (R16) with the caller as author and the server's time. `customerVisible: true` also sends it to the customer (template milestone, e-mail). 404 for a case the caller may not read.",
        params: idParams,
        body: addProgressBody,
        response: { 201: progressEntrySchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await addProgress(ctx, req.params.id, req.body, userOf(req), req.id)),
  );

  r.get(
    '/api/instances/:id/progress',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description: "The case's progress log, newest first, with time and author.",
        params: idParams,
        querystring: progressListQuery,
        response: { 200: progressListResponse, ...errorResponses },
      },
    },
    async (req) => ({ items: await listProgress(ctx, req.params.id, userOf(req), req.query) }),
  );
}
