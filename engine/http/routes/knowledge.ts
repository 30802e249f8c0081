import type { FastifyInstance } from 'fastify';
import { errorResponses, idParams } from '../../../schemas/api.ts';
import {
  articleBody,
  articleSchema,
  articleUpdateBody,
  caseArticleSchema,
  instanceArticleParams,
  linkBody,
  publishBody,
  searchQuery,
  searchResponse,
} from '../../../schemas/knowledge.ts';
import { createArticle, getArticle, publishArticle, searchArticles, updateArticle } from '../../knowledge/articles.ts';
import { linkArticle, listCaseArticles, unlinkArticle } from '../../knowledge/caseLinks.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/** The fault-diagnosis knowledge base (R13): search, articles, and the articles used on a case. */
export async function knowledgeRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);

  r.get(
    '/api/knowledge/search',
    {
      config: { access: 'user' },
      schema: {
        tags: ['knowledge'],
        description:
          'Ranked search in Chinese and English: "空调不制冷" finds "空调制冷效果差". Title matches weigh more than tag and body matches; each hit says where the terms were found. Drafts only for supervisors and admins.',
        querystring: searchQuery,
        response: { 200: searchResponse, ...errorResponses },
      },
    },
    async (req) => searchArticles(ctx, req.query, userOf(req)),
  );

  r.get(
    '/api/knowledge/articles/:id',
    { config: { access: 'user' }, schema: { tags: ['knowledge'], params: idParams, response: { 200: articleSchema, ...errorResponses } } },
    async (req) => getArticle(ctx, req.params.id, userOf(req)),
  );

  r.post(
    '/api/knowledge/articles',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags: ['knowledge'],
        description: 'Writes a new article as a draft (or published with ?publish=true). `sourceCaseId` names the case review it came from.',
        querystring: { type: 'object', additionalProperties: false, properties: { publish: { type: 'boolean', default: false } } },
        body: articleBody,
        response: { 201: articleSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createArticle(ctx, req.body, userOf(req), { requestId: req.id, status: req.query.publish ? 'published' : 'draft' })),
  );

  r.put(
    '/api/knowledge/articles/:id',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags: ['knowledge'],
        description: 'Replaces the content of an article, e.g. after a case review. `rev` is the rev the edit started from: 409 LD_KNOWLEDGE_STALE when someone changed it since.',
        params: idParams,
        body: articleUpdateBody,
        response: { 200: articleSchema, ...errorResponses },
      },
    },
    async (req) => (await updateArticle(ctx, req.params.id, req.body, userOf(req), { requestId: req.id })).article,
  );

  r.post(
    '/api/knowledge/articles/:id/publish',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: { tags: ['knowledge'], params: idParams, body: publishBody, response: { 200: articleSchema, ...errorResponses } },
    },
    async (req) => publishArticle(ctx, req.params.id, userOf(req), { rev: req.body?.rev, requestId: req.id }),
  );

  r.get(
    '/api/instances/:id/articles',
    {
      config: { access: 'user' },
      schema: {
        tags: ['knowledge'],
        description: 'The knowledge articles used on this case. 404 unless you may read the case.',
        params: idParams,
        response: { 200: { type: 'array', items: caseArticleSchema }, ...errorResponses },
      },
    },
    async (req) => listCaseArticles(ctx, req.params.id, userOf(req)),
  );

  r.post(
    '/api/instances/:id/articles',
    {
      config: { access: 'user' },
      schema: {
        tags: ['knowledge'],
        description: 'Links an article used on this case (201), or updates the note of an existing link (200).',
        params: idParams,
        body: linkBody,
        response: { 200: caseArticleSchema, 201: caseArticleSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { created, link } = await linkArticle(ctx, req.params.id, req.body, userOf(req), req.id);
      return reply.status(created ? 201 : 200).send(link);
    },
  );

  r.delete(
    '/api/instances/:id/articles/:articleId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['knowledge'],
        description: 'Removes a link; whoever linked the article, or a supervisor.',
        params: instanceArticleParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await unlinkArticle(ctx, req.params.id, req.params.articleId, userOf(req), req.id);
      return reply.status(204).send(null);
    },
  );
}
