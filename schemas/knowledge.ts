import type { FromSchema } from 'json-schema-to-ts';

/**
 * The fault-diagnosis knowledge base (R13): articles (symptom, causes, steps, product tags),
 * search, and the articles linked to a case. Shipped articles (`definitions/knowledge/*.json`)
 * use `shippedArticleSchema`.
 */

const line = { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' } as const;
const tag = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const nullableTime = { type: ['integer', 'null'] } as const;

export const articleLanguage = { type: 'string', enum: ['zh-CN', 'en'] } as const;
export const articleStatus = { type: 'string', enum: ['draft', 'published'] } as const;

const articleFields = {
  title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', description: 'What the customer reports, as they would say it: 空调制冷效果差.' },
  symptom: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S', description: 'The symptom in detail: when it happens, what the customer sees.' },
  causes: { type: 'array', items: line, maxItems: 50, description: 'Common causes, most likely first.' },
  steps: { type: 'array', items: line, maxItems: 50, description: 'Diagnosis and fix steps in order.' },
  productTags: { type: 'array', items: tag, maxItems: 20, uniqueItems: true, description: 'Products it applies to (空调, washing-machine); stored trimmed and in lower case.' },
  language: articleLanguage,
  sourceCaseId: { type: ['string', 'null'], minLength: 1, maxLength: 64, description: 'The case whose review this article was written or updated from.' },
} as const;

export const articleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'symptom', 'causes', 'steps', 'productTags', 'language'],
  properties: {
    key: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,199}$', description: 'Optional stable key (shipped articles have one).' },
    ...articleFields,
  },
} as const;

export const articleUpdateBody = {
  type: 'object',
  additionalProperties: false,
  required: [...articleBody.required, 'rev'],
  properties: {
    ...articleFields,
    rev: { type: 'integer', minimum: 1, description: 'The rev the edit is based on; a stale one answers 409 LD_KNOWLEDGE_STALE.' },
  },
} as const;

export const publishBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { rev: { type: 'integer', minimum: 1, description: 'When given, 409 unless the article is still at this rev.' } },
} as const;

export const shippedArticleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', ...articleBody.required],
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    ...articleBody.properties,
    status: { ...articleStatus, default: 'published' },
  },
} as const;

export const articleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'symptom', 'causes', 'steps', 'productTags', 'language', 'status', 'rev', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'],
  properties: {
    id: { type: 'string' },
    key: { type: ['string', 'null'] },
    title: { type: 'string' },
    symptom: { type: 'string' },
    causes: { type: 'array', items: { type: 'string' } },
    steps: { type: 'array', items: { type: 'string' } },
    productTags: { type: 'array', items: { type: 'string' } },
    language: articleLanguage,
    status: articleStatus,
    rev: { type: 'integer' },
    sourceCaseId: { type: ['string', 'null'] },
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'integer' },
    updatedBy: { type: 'string' },
    publishedAt: nullableTime,
  },
} as const;

export const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Keywords in Chinese or English; Chinese is matched on overlapping character pairs, English words as prefixes. Empty: the newest articles.' },
    tag: { type: 'string', maxLength: 100, description: 'Only articles with this product tag.' },
    language: articleLanguage,
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
  },
} as const;

const span = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end'],
  properties: { start: { type: 'integer' }, end: { type: 'integer' } },
} as const;

export const searchResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'terms'],
  properties: {
    terms: { type: 'array', items: { type: 'string' }, description: 'What the query was split into (CJK pairs, words).' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'language', 'status', 'productTags', 'rev', 'score', 'matched', 'titleHighlights', 'snippet'],
        properties: {
          id: { type: 'string' },
          key: { type: ['string', 'null'] },
          title: { type: 'string' },
          language: articleLanguage,
          status: articleStatus,
          productTags: { type: 'array', items: { type: 'string' } },
          rev: { type: 'integer' },
          updatedAt: { type: 'integer' },
          score: { type: 'number', description: 'Per query term: 4 in the title + 2 in a tag + 1 in the body (0.8 of that for a prefix-only word match).' },
          matched: { type: 'integer', description: 'Distinct query terms found.' },
          titleHighlights: { type: 'array', items: span, description: 'UTF-16 offsets into the title.' },
          snippet: {
            type: 'object',
            additionalProperties: false,
            required: ['field', 'text', 'highlights'],
            properties: {
              field: { type: 'string', enum: ['title', 'symptom', 'causes', 'steps'] },
              index: { type: 'integer' },
              text: { type: 'string' },
              highlights: { type: 'array', items: span, description: 'UTF-16 offsets into text.' },
            },
          },
        },
      },
    },
  },
} as const;

export const linkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['articleId'],
  properties: {
    articleId: { type: 'string', minLength: 1, maxLength: 64 },
    note: { type: ['string', 'null'], maxLength: 2000, description: 'How the article helped, e.g. which step solved it.' },
  },
} as const;

export const caseArticleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'articleId', 'linkedBy', 'linkedAt', 'title', 'status', 'rev'],
  properties: {
    instanceId: { type: 'string' },
    articleId: { type: 'string' },
    linkedBy: { type: 'string' },
    linkedAt: { type: 'integer' },
    note: { type: ['string', 'null'] },
    title: { type: 'string' },
    status: articleStatus,
    rev: { type: 'integer' },
    productTags: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const instanceArticleParams = {
  type: 'object',
  required: ['id', 'articleId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, articleId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export type ArticleInput = FromSchema<typeof articleBody>;
export type ArticleUpdate = FromSchema<typeof articleUpdateBody>;
export type ShippedArticle = FromSchema<typeof shippedArticleSchema>;
export type Article = FromSchema<typeof articleSchema>;
export type SearchQuery = FromSchema<typeof searchQuery>;
export type SearchResult = FromSchema<typeof searchResponse>;
export type CaseArticle = FromSchema<typeof caseArticleSchema>;
