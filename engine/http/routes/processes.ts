import type { FastifyInstance } from 'fastify';
import {
  definitionSchema,
  deployJsonBody,
  deployQuery,
  deployResponse,
  errorResponses,
  keyVersionParams,
} from '../../../schemas/api.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { deploy, getDefinitionXml, listDefinitions, publish } from '../../usecases/definitions.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function processRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/processes',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['processes'],
        description: 'Deploy BPMN 2.0 XML, sent as application/xml or as JSON {xml, publish}. 422 lists {elementId, message} for every problem.',
        querystring: deployQuery,
        body: { oneOf: [deployJsonBody, { type: 'string', minLength: 1 }] },
        response: { 200: deployResponse, 201: deployResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body as unknown;
      const xml = typeof body === 'string' ? body : (body as { xml: string }).xml;
      const publishNow = (typeof body === 'object' && (body as { publish?: boolean }).publish) || req.query.publish === true;
      if (!xml?.trim()) throw new LoopdeskError('LD_VALIDATION', 400, 'send BPMN XML', [{ path: '/body', message: 'empty' }]);
      const result = await deploy(ctx, xml, userOf(req), { publish: publishNow, requestId: req.id });
      const first = result.processes[0]!;
      return reply.status(result.created ? 201 : 200).send({ ...first, created: result.created, processes: result.processes, warnings: result.warnings });
    },
  );

  r.post(
    '/api/processes/:key/versions/:version/publish',
    { config: { access: ['admin'] }, schema: { tags: ['processes'], params: keyVersionParams, response: { 200: definitionSchema, ...errorResponses } } },
    async (req) => publish(ctx, req.params.key, req.params.version, userOf(req), req.id),
  );

  r.get(
    '/api/processes',
    {
      config: { access: 'user' },
      schema: {
        tags: ['processes'],
        querystring: { type: 'object', additionalProperties: false, properties: { key: { type: 'string', maxLength: 255 } } },
        response: { 200: { type: 'array', items: definitionSchema } },
      },
    },
    async (req) => listDefinitions(ctx, req.query.key),
  );

  r.get(
    '/api/processes/:key/versions/:version/xml',
    { config: { access: 'user' }, schema: { tags: ['processes'], params: keyVersionParams, produces: ['application/xml'] } },
    async (req, reply) => reply.type('application/xml; charset=utf-8').send(await getDefinitionXml(ctx, req.params.key, req.params.version)),
  );
}
