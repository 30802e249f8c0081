/**
 * JSON Schemas of the progress-log routes (R16): entries with time and author, newest first; those
 * marked customer-visible are also sent to the customer (template `milestone`).
 */
import type { FromSchema } from 'json-schema-to-ts';

/** Kinds a person may write; `system` entries are written by the engine only. */
export const progressKindEnum = { type: 'string', enum: ['note', 'milestone', 'contact'] } as const;

export const addProgressBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S', description: 'e.g. 已联系客户 / waiting for parts' },
    customerVisible: { type: 'boolean', default: false, description: 'also send this entry to the customer (e-mail, template milestone)' },
    kind: { ...progressKindEnum, description: 'default: milestone when customer-visible, else note' },
  },
} as const;

export const progressEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'instanceId', 'at', 'author', 'text', 'kind', 'customerVisible'],
  properties: {
    id: { type: 'string' },
    instanceId: { type: 'string' },
    at: { type: 'integer', description: 'epoch milliseconds' },
    author: { type: 'string', description: 'username, or system' },
    text: { type: 'string' },
    kind: { type: 'string', enum: ['note', 'milestone', 'contact', 'system'] },
    customerVisible: { type: 'boolean' },
  },
} as const;

export const progressListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customerVisible: { type: 'boolean', description: 'only the entries the customer was sent (or only the internal ones)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 },
  },
} as const;

export const progressListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: progressEntrySchema } },
} as const;

export type AddProgressBody = FromSchema<typeof addProgressBody>;
export type ProgressEntry = FromSchema<typeof progressEntrySchema>;
export type ProgressKind = ProgressEntry['kind'];
export type ProgressList = FromSchema<typeof progressListResponse>;
export type ProgressListQuery = FromSchema<typeof progressListQuery>;
