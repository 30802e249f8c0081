import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import {
  absenceBody,
  absenceParams,
  absenceSchema,
  departmentBody,
  departmentSchema,
  reassignBody,
  reassignResponse,
  routingPreviewBody,
  routingPreviewResponse,
  usernameParams,
} from '../../../schemas/dispatch.ts';
import { addAbsence, listAbsences, listDepartments, removeAbsence, saveDepartment } from '../../dispatch/org.ts';
import { reassignTask } from '../../dispatch/reassign.ts';
import { loadRoutingRules, routeCase } from '../../dispatch/routing.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** Dispatch (R10–R12): reassignment with a reason, departments and their heads, absences, routing preview. */
export async function dispatchRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/tasks/:id/reassign',
    {
      config: { access: 'user' },
      schema: {
        tags: ['tasks'],
        description: 'Moves an open task to another user with a reason (audited). Supervisors and admins may assign anyone; the current assignee may hand over to a member of the task\'s groups.',
        params: idParams,
        body: reassignBody,
        response: { 200: reassignResponse, ...errorResponses },
      },
    },
    async (req) => reassignTask(ctx, req.params.id, req.body.assignee, req.body.reason, userOf(req), req.id),
  );

  r.get(
    '/api/departments',
    { config: { access: 'user' }, schema: { tags: ['organisation'], response: { 200: { type: 'array', items: departmentSchema }, ...errorResponses } } },
    async () => listDepartments(ctx.db),
  );

  r.post(
    '/api/departments',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['organisation'],
        description: 'Creates (201) or replaces (200) a department or team with its head and parent.',
        body: departmentBody,
        response: { 200: departmentSchema, 201: departmentSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { created, department } = await saveDepartment(ctx, req.body, userOf(req), req.id);
      return reply.status(created ? 201 : 200).send(department);
    },
  );

  r.get(
    '/api/users/:username/absences',
    { config: { access: 'user' }, schema: { tags: ['organisation'], params: usernameParams, response: { 200: { type: 'array', items: absenceSchema }, ...errorResponses } } },
    async (req) => listAbsences(ctx, req.params.username, userOf(req)),
  );

  r.post(
    '/api/users/:username/absences',
    {
      config: { access: 'user' },
      schema: {
        tags: ['organisation'],
        description: 'Records an absence [from, until): the dispatcher gives the user no new tasks meanwhile. The user themself or a supervisor.',
        params: usernameParams,
        body: absenceBody,
        response: { 201: absenceSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await addAbsence(ctx, req.params.username, req.body, userOf(req), req.id)),
  );

  r.delete(
    '/api/users/:username/absences/:id',
    { config: { access: 'user' }, schema: { tags: ['organisation'], params: absenceParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (req, reply) => {
      await removeAbsence(ctx, req.params.username, req.params.id, userOf(req), req.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/routing/preview',
    {
      config: { access: 'user' },
      schema: {
        tags: ['routing'],
        description: 'Which team or department a case with this data would be routed to (R10), and by which rule.',
        body: routingPreviewBody,
        response: { 200: routingPreviewResponse, ...errorResponses },
      },
    },
    async (req) => routeCase(loadRoutingRules(), req.body.data as Record<string, unknown>),
  );
}
