import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import {
  actionBody,
  actionComparisonResponse,
  actionPatchBody,
  actionSchema,
  analyticsDefinitionSchema,
  backlogResponse,
  faultReportResponse,
  filterQuery,
  findingBody,
  findingSchema,
  incompleteResponse,
  mixResponse,
  monthQuery,
  nodesQuery,
  nodesResponse,
  peopleQuery,
  peopleResponse,
  pilotQuery,
  pilotResponse,
  qualityResponse,
  reportQuery,
  reviewDrawQuery,
  reviewResponse,
  satisfactionQuery,
  satisfactionResponse,
  slaQuery,
  slaResponse,
  targetsResponse,
  weekParams,
  reportRunParams,
  reportRunQuery,
  reportRunSchema,
} from '../../../schemas/analytics.ts';
import {
  actionComparisonReport,
  backlogReport,
  createAction,
  deleteAction,
  drawReviewSample,
  evaluateOptimisationAction,
  faultReport,
  getOptimisationAction,
  getTargets,
  incompleteReport,
  listActions,
  mixReport,
  nodesReport,
  peopleReport,
  periodicReport,
  pilotReport,
  qualityReport,
  recordFinding,
  reviewReport,
  satisfactionReport,
  saveTargets,
  slaStats,
  targetsWithActuals,
  updateAction,
  listReportRuns,
  reportRun,
} from '../../analytics/index.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** Process and service analytics (R9, R22, R24–R30, R41): statistics for dashboards, targets, PDCA actions, weekly review, exports. */
export async function analyticsRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const tags = ['analytics'];
  const staff = { access: ['supervisor', 'admin'] as ('supervisor' | 'admin')[] };
  const filters =
    'Filters: from/to (case start; YYYY-MM-DD days in the analytics time zone, `to` inclusive), processKey, version, department, team (owner is a member), person (owner), channel, type, urgency.';

  r.get(
    '/api/analytics/nodes',
    {
      config: staff,
      schema: {
        tags,
        description: `Time per node (R0c, R24, R26): wall and working-time count/mean/min/median/p90/max of closed visits, slowest cases with description and owner. Large unfiltered periods read daily aggregates (precision.source). ${filters}`,
        querystring: nodesQuery,
        response: { 200: nodesResponse, ...errorResponses },
      },
    },
    async (req) => nodesReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/sla',
    {
      config: staff,
      schema: {
        tags,
        description: `First response and resolution times from the SLA clocks, attainment and breach rate per clock (R5, R6, R24). ${filters}`,
        querystring: slaQuery,
        response: { 200: slaResponse, ...errorResponses },
      },
    },
    async (req) => slaStats(ctx, req.query),
  );

  r.get(
    '/api/analytics/backlog',
    {
      config: staff,
      schema: { tags, description: `Open cases now with ageing buckets and the overdue list (live clocks). ${filters}`, querystring: filterQuery, response: { 200: backlogResponse, ...errorResponses } },
    },
    async (req) => backlogReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/quality',
    {
      config: staff,
      schema: {
        tags,
        description: `First-contact resolution, final resolution with unresolved reasons, reopen rate, against the definition's targets (R22). ${filters}`,
        querystring: filterQuery,
        response: { 200: qualityResponse, ...errorResponses },
      },
    },
    async (req) => qualityReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/satisfaction',
    {
      config: staff,
      schema: {
        tags,
        description: `Mean score, distribution, NPS, trend by week or month, low-score cases (R19, R24). ${filters}`,
        querystring: satisfactionQuery,
        response: { 200: satisfactionResponse, ...errorResponses },
      },
    },
    async (req) => satisfactionReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/mix',
    {
      config: staff,
      schema: {
        tags,
        description: `Type, channel and urgency shares, frequent product models and causes, Pareto of causes with the 80% line (R24, R26). ${filters}`,
        querystring: filterQuery,
        response: { 200: mixResponse, ...errorResponses },
      },
    },
    async (req) => mixReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/faults/monthly',
    {
      config: staff,
      schema: {
        tags,
        description: 'Monthly frequent-fault report for R&D (R30): product model × cause, most frequent first, with the previous month. month=YYYY-MM (default: last month).',
        querystring: monthQuery,
        response: { 200: faultReportResponse, ...errorResponses },
      },
    },
    async (req) => faultReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/people',
    {
      config: { access: ['agent', 'supervisor', 'admin'] },
      schema: {
        tags,
        description: `Per person or department (R24, R41): cases, resolution rate, FCR, resolution time, score, low scores; ranking; coaching flags. month=YYYY-MM for the monthly ranking. Agents get their own row only. ${filters}`,
        querystring: peopleQuery,
        response: { 200: peopleResponse, ...errorResponses },
      },
    },
    async (req) => peopleReport(ctx, req.query, userOf(req)),
  );

  r.get(
    '/api/analytics/targets',
    {
      config: staff,
      schema: {
        tags,
        description: `Targets and benchmarks of the analytics definition beside the actuals, with achieved true/false (R25, R29). ${filters}`,
        querystring: filterQuery,
        response: { 200: targetsResponse, ...errorResponses },
      },
    },
    async (req) => targetsWithActuals(ctx, req.query),
  );

  r.get(
    '/api/analytics/definition',
    { config: staff, schema: { tags, description: 'The analytics definition (targets, benchmarks, settings) with defaults filled in.', response: { 200: analyticsDefinitionSchema } } },
    async () => getTargets(ctx),
  );

  r.put(
    '/api/analytics/definition',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        description: 'Replaces the analytics definition (see definitions/analytics/targets.json). 422 lists {path, message}.',
        body: { type: 'object', additionalProperties: true },
        response: { 200: analyticsDefinitionSchema, ...errorResponses },
      },
    },
    async (req) => saveTargets(ctx, req.body, userOf(req), req.id),
  );

  r.get(
    '/api/analytics/incomplete',
    {
      config: staff,
      schema: {
        tags,
        description: `Weekly audit (R9): cases whose response/resolution clock has no start or end point, open cases without a first response after incompleteOpenDays. ${filters}`,
        querystring: filterQuery,
        response: { 200: incompleteResponse, ...errorResponses },
      },
    },
    async (req) => incompleteReport(ctx, req.query),
  );

  r.get(
    '/api/analytics/pilot',
    {
      config: staff,
      schema: {
        tags,
        description:
          'Pilot vs baseline (R34): cases on the pilot version against other versions of the same process in the same period — metrics side by side, Mann-Whitney U p-values, seeded 95% bootstrap intervals for median differences, "not-enough-data" below minGroupSize per group.',
        querystring: pilotQuery,
        response: { 200: pilotResponse, ...errorResponses },
      },
    },
    async (req) => pilotReport(ctx, req.query as typeof req.query & { processKey: string; version: number }),
  );

  r.get(
    '/api/analytics/actions',
    {
      config: staff,
      schema: {
        tags,
        description: 'Optimisation actions (R28), newest effective date first.',
        querystring: { type: 'object', additionalProperties: false, properties: { processKey: { type: 'string', maxLength: 255 } } },
        response: { 200: { type: 'array', items: actionSchema } },
      },
    },
    async (req) => listActions(ctx, req.query.processKey),
  );

  r.post(
    '/api/analytics/actions',
    {
      config: staff,
      schema: {
        tags,
        description: 'Records an optimisation action: what changes from when, which metric it should move and the target (ISO duration for time metrics).',
        body: actionBody,
        response: { 201: actionSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await createAction(ctx, req.body, userOf(req), req.id)),
  );

  r.get(
    '/api/analytics/actions/:id',
    { config: staff, schema: { tags, params: idParams, response: { 200: actionSchema, ...errorResponses } } },
    async (req) => getOptimisationAction(ctx, req.params.id),
  );

  r.patch(
    '/api/analytics/actions/:id',
    {
      config: staff,
      schema: { tags, description: 'Changes an action (send rev to detect concurrent edits); resets its evaluation.', params: idParams, body: actionPatchBody, response: { 200: actionSchema, ...errorResponses } },
    },
    async (req) => updateAction(ctx, req.params.id, req.body, userOf(req), req.id),
  );

  r.delete(
    '/api/analytics/actions/:id',
    { config: staff, schema: { tags, params: idParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (req, reply) => {
      await deleteAction(ctx, req.params.id, userOf(req), req.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/analytics/actions/:id/comparison',
    {
      config: staff,
      schema: {
        tags,
        description: 'The action metric in equal windows before and after the effective date, with the same statistics as the pilot comparison. Read-only.',
        params: idParams,
        response: { 200: actionComparisonResponse, ...errorResponses },
      },
    },
    async (req) => actionComparisonReport(ctx, req.params.id),
  );

  r.post(
    '/api/analytics/actions/:id/evaluate',
    {
      config: staff,
      schema: {
        tags,
        description: 'Measures the action and stores the outcome: achieved, or needs-another-round when the completed after-window misses the target (R28).',
        params: idParams,
        response: { 200: actionComparisonResponse, ...errorResponses },
      },
    },
    async (req) => evaluateOptimisationAction(ctx, req.params.id, userOf(req), req.id),
  );

  r.get(
    '/api/analytics/reviews/:week',
    {
      config: staff,
      schema: {
        tags,
        description: "The week's review (R27): the frozen 10% sample of closed first-contact failures and complaints, or a preview before it is drawn; recorded findings.",
        params: weekParams,
        querystring: reviewDrawQuery,
        response: { 200: reviewResponse, ...errorResponses },
      },
    },
    async (req) => reviewReport(ctx, req.params.week, req.query.processKey),
  );

  r.post(
    '/api/analytics/reviews/:week/sample',
    {
      config: staff,
      schema: {
        tags,
        description: "Draws the week's sample (seeded by the week, reproducible) and freezes it; drawing again returns the same sample.",
        params: weekParams,
        querystring: reviewDrawQuery,
        response: { 200: reviewResponse, ...errorResponses },
      },
    },
    async (req) => drawReviewSample(ctx, req.params.week, userOf(req), req.query.processKey, req.id),
  );

  r.post(
    '/api/analytics/reviews/:week/findings',
    {
      config: staff,
      schema: {
        tags,
        description: 'Records a people / process / tool cause for a sampled case (R27).',
        params: weekParams,
        body: findingBody,
        response: { 201: findingSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await recordFinding(ctx, req.params.week, req.body, userOf(req), req.id)),
  );

  r.get(
    '/api/analytics/report',
    {
      config: { access: ['agent', 'supervisor', 'admin'] },
      schema: {
        tags,
        description:
          'Weekly or monthly report (R24): JSON (KPIs with targets, nodes, SLA), CSV (case list, streamed, UTF-8 with BOM) or XLSX (summary, nodes, SLA, cases). Personal data masked without pii:read; Chinese headers for Accept-Language zh-CN; agents get their own cases.',
        querystring: reportQuery,
        response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const report = await periodicReport(ctx, req.query, userOf(req), req.lang);
      if (report.kind === 'json') return report.body;
      // Files, not JSON: sent past the typed reply.
      const raw = reply as unknown as FastifyReply;
      if (report.kind !== 'html') raw.header('content-disposition', `attachment; filename="${report.filename}"`);
      if (report.kind === 'html') return raw.type('text/html; charset=utf-8').send(report.body);
      if (report.kind === 'csv') return raw.type('text/csv; charset=utf-8').send(Readable.from(report.chunks));
      return raw.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(report.body);
    },
  );

  r.get(
    '/api/analytics/report-runs',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: { tags, description: 'The weekly and monthly reports generated on schedule (Monday / the 1st, 08:00 analytics time), newest first (R24).', response: { 200: { type: 'array', items: reportRunSchema } } },
    },
    async () => listReportRuns(ctx),
  );

  r.get(
    '/api/analytics/report-runs/:kind/:label',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags,
        description: 'One scheduled report: its figures as generated (JSON), or the printable page (format=html) in the caller\'s language.',
        params: reportRunParams,
        querystring: reportRunQuery,
        response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
      },
    },
    async (req, reply) => {
      const run = await reportRun(ctx, req.params.kind, req.params.label, req.query.format ?? 'json', req.lang);
      if (run.kind === 'json') return run.body as unknown as Record<string, unknown>;
      return (reply as unknown as FastifyReply).type('text/html; charset=utf-8').send(run.body);
    },
  );
}
