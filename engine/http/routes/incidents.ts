import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../../schemas/api.ts';
import { incidentListQuery, incidentSchema, retryBody, retryParams, retryResponse } from '../../../schemas/incidents.ts';
import { listIncidents, retryIncident } from '../../usecases/incidents.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** Incidents: where instances are stuck, and the retry once the cause is fixed (R35, R40). */
export async function incidentRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const tags = ['incidents'];

  r.get(
    '/api/incidents',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: { tags, description: 'Open incidents across instances, newest first (or one instance’s, with `open=false` the resolved ones too).', querystring: incidentListQuery, response: { 200: { type: 'array', items: incidentSchema }, ...errorResponses } },
    },
    async (req) => listIncidents(ctx, req.query),
  );

  r.post(
    '/api/instances/:id/incidents/:incidentId/retry',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags,
        description:
          'Resolves the incident and runs its node again, after setting `variables` in the same step if given; audited. A failure that persists raises a new incident (listed in the answer). 409 when the incident is already resolved (e.g. by a concurrent retry).',
        params: retryParams,
        body: retryBody,
        response: { 200: retryResponse, ...errorResponses },
      },
    },
    async (req) => retryIncident(ctx, req.params.id, req.params.incidentId, (req.body?.variables ?? {}) as Record<string, unknown>, userOf(req), req.id),
  );
}
