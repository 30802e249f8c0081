import type { FastifyInstance } from 'fastify';
import {
  errorResponses,
  fieldUsageSchema,
  formDataBody,
  formSummarySchema,
  idParams,
  keyVersionParams,
  saveFormQuery,
  taskFormSchema,
  validationResultSchema,
} from '../../../schemas/api.ts';
import { dryRunValidate, fieldUsage, getForm, listForms, publishForm, saveForm, taskForm } from '../../usecases/forms.ts';
import { getTask } from '../../usecases/tasks.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function formRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/forms',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['forms'],
        description:
          'Saves a form definition {key, title, schema, uiSchema?, rules?, migrations?, examples?} as a new draft version. 422 lists {path, message} JSON pointers into the definition.',
        querystring: saveFormQuery,
        body: { type: 'object', additionalProperties: true },
        response: { 200: formSummarySchema, 201: formSummarySchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { created, form } = await saveForm(ctx, req.body, userOf(req), { lang: req.lang, publish: req.query.publish, requestId: req.id });
      return reply.status(created ? 201 : 200).send({ ...form, created });
    },
  );

  r.get(
    '/api/forms',
    {
      config: { access: 'user' },
      schema: {
        tags: ['forms'],
        querystring: { type: 'object', additionalProperties: false, properties: { key: { type: 'string', maxLength: 255 } } },
        response: { 200: { type: 'array', items: formSummarySchema } },
      },
    },
    async (req) => listForms(ctx, req.query.key),
  );

  r.get(
    '/api/forms/:key/versions/:version',
    { config: { access: 'user' }, schema: { tags: ['forms'], params: keyVersionParams } },
    async (req) => getForm(ctx, req.params.key, req.params.version),
  );

  r.post(
    '/api/forms/:key/versions/:version/publish',
    { config: { access: ['admin'] }, schema: { tags: ['forms'], params: keyVersionParams, response: { 200: formSummarySchema, ...errorResponses } } },
    async (req) => publishForm(ctx, req.params.key, req.params.version, userOf(req), req.id),
  );

  r.post(
    '/api/forms/:key/versions/:version/validate',
    {
      config: { access: 'user' },
      schema: {
        tags: ['forms'],
        description: 'Dry run: the errors and reminders completing a task with this data would give. Stores nothing.',
        params: keyVersionParams,
        body: formDataBody,
        response: { 200: validationResultSchema, ...errorResponses },
      },
    },
    async (req) => dryRunValidate(ctx, req.params.key, req.params.version, req.body.data, req.lang),
  );

  r.get(
    '/api/forms/:key/field-usage',
    {
      config: { access: ['admin', 'supervisor'] },
      schema: {
        tags: ['forms'],
        description: 'Per version and field: how often filled, left empty, changed after first entry, last filled (R38).',
        params: { type: 'object', required: ['key'], properties: { key: { type: 'string', maxLength: 255 } } },
        response: { 200: fieldUsageSchema },
      },
    },
    async (req) => fieldUsage(ctx, req.params.key),
  );

  r.get(
    '/api/tasks/:id/form',
    {
      config: { access: 'user' },
      schema: {
        tags: ['tasks'],
        description: "The task's form version as this user may see it (hidden and read-only fields applied, personal data masked), its data and reminders.",
        params: idParams,
        response: { 200: taskFormSchema, ...errorResponses },
      },
    },
    async (req) => {
      const who = userOf(req);
      return taskForm(ctx, await getTask(ctx, req.params.id, who), who, req.lang);
    },
  );
}
