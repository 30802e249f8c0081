import type { FastifyInstance } from 'fastify';
import { definitionSchema, errorResponses, keyVersionParams } from '../../../schemas/api.ts';
import { addPilotFeedback, diffForm, diffProcess, listPilotFeedback, retireField, rollBack, rollOut, startPilot } from '../../usecases/versions.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

const keyParams = { type: 'object', required: ['key'], properties: { key: { type: 'string', minLength: 1, maxLength: 255 } } } as const;
const diffQuery = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
} as const;

export async function versionRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/processes/:key/versions/:version/pilot',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['processes'],
        description: 'Pilot (R34): new cases of these teams start on this version until the date; everyone else stays on the published one.',
        params: keyVersionParams,
        body: {
          type: 'object',
          required: ['teams', 'until'],
          additionalProperties: false,
          properties: { teams: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, until: { type: 'string', format: 'date-time' } },
        },
        response: { 200: definitionSchema, ...errorResponses },
      },
    },
    async (req) => startPilot(ctx, req.params.key, req.params.version, req.body.teams, Date.parse(req.body.until), userOf(req), req.id),
  );

  r.post(
    '/api/processes/:key/versions/:version/rollout',
    { config: { access: ['admin'] }, schema: { tags: ['processes'], params: keyVersionParams, response: { 200: definitionSchema, ...errorResponses } } },
    async (req) => rollOut(ctx, req.params.key, req.params.version, userOf(req), req.id),
  );

  r.post('/api/processes/:key/rollback', { config: { access: ['admin'] }, schema: { tags: ['processes'], params: keyParams, response: errorResponses } }, async (req) =>
    rollBack(ctx, req.params.key, userOf(req), req.id),
  );

  r.get('/api/processes/:key/diff', { config: { access: 'user' }, schema: { tags: ['processes'], params: keyParams, querystring: diffQuery } }, async (req) =>
    diffProcess(ctx, req.params.key, req.query.from, req.query.to),
  );

  r.post(
    '/api/processes/:key/versions/:version/feedback',
    {
      config: { access: 'user' },
      schema: {
        tags: ['processes'],
        description: 'Pilot users report problems with a version ("too many fields"), optionally about one node or form.',
        params: keyVersionParams,
        body: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { text: { type: 'string', minLength: 1, maxLength: 2000 }, nodeId: { type: 'string', maxLength: 255 }, formKey: { type: 'string', maxLength: 255 } },
        },
      },
    },
    async (req, reply) => reply.status(201).send(await addPilotFeedback(ctx, req.params.key, req.params.version, req.body, userOf(req), req.id)),
  );

  r.get('/api/processes/:key/versions/:version/feedback', { config: { access: ['admin', 'supervisor'] }, schema: { tags: ['processes'], params: keyVersionParams } }, async (req) =>
    listPilotFeedback(ctx, req.params.key, req.params.version),
  );

  r.get('/api/forms/:key/diff', { config: { access: 'user' }, schema: { tags: ['forms'], params: keyParams, querystring: diffQuery } }, async (req) =>
    diffForm(ctx, req.params.key, req.query.from, req.query.to),
  );

  r.post(
    '/api/forms/:key/versions/:version/retire-field',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['forms'],
        description: 'Quarterly review (R38): a new draft version without the field, with a drop migration.',
        params: keyVersionParams,
        body: { type: 'object', required: ['field'], additionalProperties: false, properties: { field: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    },
    async (req, reply) => {
      const { created, form } = await retireField(ctx, req.params.key, req.params.version, req.body.field, userOf(req), req.id);
      return reply.status(created ? 201 : 200).send(form);
    },
  );
}
