import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import { slaPolicySchema } from '../../../schemas/sla-policy.schema.ts';
import { getCalendar, listCalendars, saveCalendar } from '../../usecases/calendars.ts';
import { getInstance } from '../../usecases/instances.ts';
import { getPolicy, instanceClocks, listPolicies, savePolicy } from '../../usecases/sla.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;
const saved = { 200: anyObject, 201: anyObject, ...errorResponses } as const;
const keyParams = { type: 'object', required: ['key'], properties: { key: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

export async function slaRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.get('/api/calendars', { config: { access: 'user' }, schema: { tags: ['sla'] } }, async () => listCalendars(ctx));
  r.get('/api/calendars/:key', { config: { access: 'user' }, schema: { tags: ['sla'], params: keyParams, response: errorResponses } }, async (req) =>
    getCalendar(ctx, req.params.key),
  );
  r.post(
    '/api/calendars',
    {
      config: { access: ['admin'] },
      schema: { tags: ['sla'], description: 'Creates a calendar; 409 if the key exists, 422 naming the field at fault.', body: { type: 'object' }, response: saved },
    },
    async (req, reply) => {
      const { calendar } = await saveCalendar(ctx, req.body as never, userOf(req), { mode: 'create', requestId: req.id });
      return reply.status(201).send({ ...calendar });
    },
  );
  r.put(
    '/api/calendars/:key',
    { config: { access: ['admin'] }, schema: { tags: ['sla'], params: keyParams, body: { type: 'object' }, response: errorResponses } },
    async (req) => {
      const body = { ...(req.body as object), key: req.params.key };
      return (await saveCalendar(ctx, body as never, userOf(req), { mode: 'replace', requestId: req.id })).calendar;
    },
  );

  r.get('/api/sla-policies', { config: { access: 'user' }, schema: { tags: ['sla'] } }, async () => listPolicies(ctx));
  r.get('/api/sla-policies/:key', { config: { access: 'user' }, schema: { tags: ['sla'], params: keyParams, response: errorResponses } }, async (req) =>
    getPolicy(ctx, req.params.key),
  );
  r.post(
    '/api/sla-policies',
    {
      config: { access: ['admin'] },
      schema: { tags: ['sla'], description: `Creates or replaces an SLA policy (schema ${slaPolicySchema.$id}); 422 with JSON pointers.`, body: { type: 'object' }, response: saved },
    },
    async (req, reply) => {
      const { created, policy } = await savePolicy(ctx, req.body, userOf(req), req.id);
      return reply.status(created ? 201 : 200).send(policy);
    },
  );

  r.get(
    '/api/instances/:id/sla',
    {
      config: { access: 'user' },
      schema: { tags: ['instances'], description: 'The SLA clocks of an instance: target, elapsed, remaining, state, due and breach time.', params: idParams, response: errorResponses },
    },
    async (req) => {
      // Reading the instance checks that this user may see it (404 otherwise).
      await getInstance(ctx, req.params.id, userOf(req));
      return instanceClocks(ctx, ctx.db, req.params.id);
    },
  );
}
