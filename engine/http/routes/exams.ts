import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../../schemas/api.ts';
import {
  attemptListQuery,
  attemptListResponse,
  attemptSchema,
  examDefinitionSchema,
  examKeyParams,
  examListResponse,
  examViewResponse,
  submitAttemptBody,
} from '../../../schemas/exams.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { examView, listAttempts, listExams, saveExam, submitAttempt } from '../../exams/index.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** The form-operation exam (R36): practice on the real forms in a sandbox, scored out of 100. */
export async function examRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const tags = ['exams'];

  r.get(
    '/api/exams',
    {
      config: { access: 'user' },
      schema: { tags, description: "The exams, with the caller's best score and whether they passed.", response: { 200: examListResponse, ...errorResponses } },
    },
    async (req) => ({ items: await listExams(ctx, userOf(req), req.lang) }),
  );

  r.get(
    '/api/exams/:key',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description: "An exam to take: each exercise's scenario and its form (newest published version, as the caller's role sees it). Expected values are not shown.",
        params: examKeyParams,
        response: { 200: examViewResponse, ...errorResponses },
      },
    },
    async (req) => examView(ctx, req.params.key, userOf(req), req.lang),
  );

  r.put(
    '/api/exams/:key',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        description: `Creates or replaces an exam. The definition follows this JSON Schema; besides, exercise ids are unique, points add up to 100, every form has a published version and every expected field is a field of its form (with an allowed value). 422 lists {path, message} JSON pointers into the definition.\n\n${JSON.stringify(examDefinitionSchema)}`,
        params: examKeyParams,
        body: { type: 'object', additionalProperties: true },
        response: { 200: { type: 'object', additionalProperties: true }, 201: { type: 'object', additionalProperties: true }, ...errorResponses },
      },
    },
    async (req, reply) => {
      if (req.body.key !== req.params.key) {
        throw new LoopdeskError('LD_EXAM_INVALID', 422, 'the key in the body must match the URL', [{ path: '/key', message: `must be ${req.params.key}` }]);
      }
      const { created, exam } = await saveExam(ctx, req.body, userOf(req), req.id);
      return reply.status(created ? 201 : 200).send(exam);
    },
  );

  r.post(
    '/api/exams/:key/attempts',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description:
          'Hands in an attempt: each answer is checked like a real submission of its form (an answer the form would refuse scores 0 and shows why), then scored against the scenario. Nothing but the attempt is stored: no case, task or field statistic.',
        params: examKeyParams,
        body: submitAttemptBody,
        response: { 201: attemptSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await submitAttempt(ctx, req.params.key, req.body.answers, userOf(req), req.lang, req.id)),
  );

  r.get(
    '/api/exams/:key/attempts',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description: "Attempts, newest first. Supervisors and admins see everyone's (or one trainee's with ?username=); others their own.",
        params: examKeyParams,
        querystring: attemptListQuery,
        response: { 200: attemptListResponse, ...errorResponses },
      },
    },
    async (req) => ({ items: await listAttempts(ctx, req.params.key, userOf(req), req.query) }),
  );
}
