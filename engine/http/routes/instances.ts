import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams, instanceSchema, instanceSummarySchema, messageBody, startInstanceBody } from '../../../schemas/api.ts';
import { getCaseByNumber, getInstance, startInstance } from '../../usecases/instances.ts';
import { correlateMessage } from '../../usecases/messages.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function instanceRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/instances',
    { config: { access: 'user' }, schema: { tags: ['instances'], body: startInstanceBody, response: { 201: instanceSummarySchema, ...errorResponses } } },
    async (req, reply) => {
      const inst = await startInstance(ctx, req.body, userOf(req), { requestId: req.id, lang: req.lang });
      return reply.status(201).send(inst);
    },
  );

  r.get(
    '/api/cases/:number',
    {
      config: { access: 'user' },
      schema: {
        tags: ['instances'],
        description: 'A case by its readable number (e.g. FB202405001).',
        params: { type: 'object', required: ['number'], properties: { number: { type: 'string', minLength: 1, maxLength: 60 } } },
        response: { 200: instanceSchema, ...errorResponses },
      },
    },
    async (req) => getCaseByNumber(ctx, req.params.number, userOf(req)),
  );

  r.get(
    '/api/instances/:id',
    { config: { access: 'user' }, schema: { tags: ['instances'], params: idParams, response: { 200: instanceSchema, ...errorResponses } } },
    async (req) => getInstance(ctx, req.params.id, userOf(req)),
  );

  r.post(
    '/api/messages',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags: ['instances'],
        description: 'Correlates a message with the instance whose business key matches and that waits for it.',
        body: messageBody,
        response: {
          200: { type: 'object', properties: { instanceId: { type: 'string' }, nodeId: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (req) => correlateMessage(ctx, req.body, userOf(req), req.id),
  );
}
