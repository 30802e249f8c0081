/**
 * JSON Schemas of the notification routes: the in-app inbox and, for supervisors and admins, the
 * delivery record of every channel (state, attempts, next attempt, last error).
 */
import type { FromSchema } from 'json-schema-to-ts';

const nullableTime = { type: ['integer', 'null'], description: 'epoch milliseconds' } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const notificationIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const inboxQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    unread: { type: 'boolean', description: 'only notifications not yet read' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const inboxItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'template', 'lang', 'subject', 'body', 'createdAt', 'readAt'],
  properties: {
    id: { type: 'string' },
    template: { type: 'string' },
    lang: { type: 'string', enum: ['zh-CN', 'en'] },
    subject: { type: 'string' },
    body: { type: 'string' },
    instanceId: nullableString,
    businessKey: nullableString,
    createdAt: { type: 'integer' },
    readAt: nullableTime,
  },
} as const;

export const inboxResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'total', 'unreadCount'],
  properties: {
    items: { type: 'array', items: inboxItemSchema },
    total: { type: 'integer', description: 'matching notifications (with unread=true: unread ones)' },
    unreadCount: { type: 'integer' },
  },
} as const;

export const readAllResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['updated', 'unreadCount'],
  properties: { updated: { type: 'integer' }, unreadCount: { type: 'integer' } },
} as const;

export const deliveryStateEnum = { type: 'string', enum: ['pending', 'sending', 'sent', 'failed'] } as const;
export const channelEnum = { type: 'string', enum: ['in-app', 'email', 'webhook'] } as const;

export const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: deliveryStateEnum,
    channel: channelEnum,
    instanceId: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const deliverySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'recipient', 'channel', 'template', 'state', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'string' },
    recipient: { type: 'string', description: 'username (in-app), e-mail address, webhook URL, or the unresolved `to` of a failed row' },
    channel: { type: 'string', description: 'in-app, email or webhook (an unsupported name on a failed row)' },
    template: { type: 'string' },
    lang: { type: 'string' },
    subject: { type: 'string' },
    state: deliveryStateEnum,
    attempts: { type: 'integer' },
    nextAttemptAt: nullableTime,
    lastError: nullableString,
    instanceId: nullableString,
    businessKey: nullableString,
    createdAt: { type: 'integer' },
    deliveredAt: nullableTime,
    readAt: nullableTime,
  },
} as const;

export const deliveriesResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'total'],
  properties: {
    items: { type: 'array', items: deliverySchema },
    total: { type: 'integer' },
  },
} as const;

export type InboxItem = FromSchema<typeof inboxItemSchema>;
export type InboxPage = FromSchema<typeof inboxResponse>;
export type Delivery = FromSchema<typeof deliverySchema>;
export type DeliveriesPage = FromSchema<typeof deliveriesResponse>;
export type DeliveriesQuery = FromSchema<typeof deliveriesQuery>;
export type InboxQuery = FromSchema<typeof inboxQuery>;
