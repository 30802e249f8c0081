import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import { customerBody, customerErasureBody, customerPatchBody } from '../../../schemas/customers.ts';
import { eraseCustomer, exportCustomerData } from '../../customers/erasure.ts';
import { SYSTEM, type Principal } from '../../usecases/context.ts';
import {
  assertCustomerInput,
  createCustomer,
  customerWithHistory,
  maskCustomer,
  searchCustomers,
  updateCustomer,
} from '../../customers/customers.ts';
import { startInstance } from '../../usecases/instances.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** Who a web or app form submits as: no login, no rights beyond filling the public intake form. */
const PUBLIC_INTAKE: Principal = { ...SYSTEM, id: 'public-intake', username: 'public-intake', roles: ['public'], permissions: [] };

export async function customerRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/customers',
    { config: { access: 'user' }, schema: { tags: ['customers'], body: customerBody, response: { 201: { type: 'object', additionalProperties: true }, ...errorResponses } } },
    async (req, reply) => {
      assertCustomerInput(req.body);
      const c = await createCustomer(ctx, req.body, userOf(req), req.id);
      return reply.status(201).send({ ...maskCustomer(c, userOf(req)) });
    },
  );

  r.get(
    '/api/customers',
    {
      config: { access: 'user' },
      schema: {
        tags: ['customers'],
        description: 'Find customers by exact phone or e-mail, or by name prefix.',
        querystring: { type: 'object', required: ['q'], additionalProperties: false, properties: { q: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    },
    async (req) => (await searchCustomers(ctx, req.query.q)).map((c) => maskCustomer(c, userOf(req))),
  );

  r.get('/api/customers/:id', { config: { access: 'user' }, schema: { tags: ['customers'], params: idParams, response: errorResponses } }, async (req) =>
    customerWithHistory(ctx, req.params.id, userOf(req)),
  );

  r.put(
    '/api/customers/:id',
    { config: { access: ['supervisor', 'admin'] }, schema: { tags: ['customers'], params: idParams, body: customerPatchBody, response: errorResponses } },
    async (req) => maskCustomer(await updateCustomer(ctx, req.params.id, req.body, userOf(req), req.id), userOf(req)),
  );

  r.get(
    '/api/customers/:id/personal-data',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['customers'],
        description: "Everything Loopdesk holds about one customer, unmasked (GDPR art. 15): profile, each case's submissions, notifications. Audited.",
        params: idParams,
        response: errorResponses,
      },
    },
    async (req, reply) => {
      const data = await exportCustomerData(ctx, req.params.id, userOf(req), req.id);
      return reply.header('content-disposition', `attachment; filename="customer-${req.params.id}.json"`).header('cache-control', 'no-store').send(data);
    },
  );

  r.post(
    '/api/customers/:id/erasure',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['customers'],
        description:
          'Erases one customer\'s personal data (GDPR art. 17) in one step: profile contact data, personal form fields of their cases, notification texts, audit payloads (digests kept, the chain still verifies). Durations, types, scores and region stay for statistics.',
        params: idParams,
        body: customerErasureBody,
        response: errorResponses,
      },
    },
    async (req) => eraseCustomer(ctx, req.params.id, req.body.reason, userOf(req), req.id),
  );

  r.post(
    '/api/public/cases',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['intake'],
        description: 'Public intake for web and app forms (R1): no login, rate-limited; answers the case number only.',
        body: {
          type: 'object',
          required: ['data'],
          additionalProperties: false,
          properties: { data: { type: 'object', additionalProperties: true } },
        },
        response: {
          201: {
            type: 'object',
            additionalProperties: false,
            properties: { caseNumber: { type: ['string', 'null'] }, promisedContactAt: { type: ['string', 'null'] } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const processKey = process.env.LOOPDESK_PUBLIC_PROCESS ?? 'aftersales-feedback';
      const data = { channel: 'web', ...req.body.data };
      const inst = await startInstance(ctx, { processKey, data }, PUBLIC_INTAKE, { requestId: req.id, lang: req.lang });
      const promised = await ctx.db.get<{ variables: string }>('SELECT variables FROM instances WHERE id = ?', [inst.id]);
      const promisedContactAt = promised ? ((JSON.parse(promised.variables).promisedContactAt as string | undefined) ?? null) : null;
      return reply.status(201).send({ caseNumber: inst.caseNumber, promisedContactAt });
    },
  );
}
