import type { FromSchema } from 'json-schema-to-ts';

/**
 * Dispatch (R10–R12): routing rules by case type (`definitions/routing/rules.json`), manual
 * reassignment with a reason, departments with their heads, absences, and the routing preview.
 * Times in bodies are ISO 8601 date-times; times in answers that are bookkeeping are epoch ms.
 */

const groupName = { type: 'string', minLength: 1, maxLength: 200 } as const;
const username = { type: 'string', pattern: '^[A-Za-z0-9._@-]{2,100}$' } as const;
/** At least one non-blank character: a reason of spaces is no reason. */
const reasonText = { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' } as const;

export const routingRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['when', 'group'],
  properties: {
    name: { type: 'string', maxLength: 100, description: 'Shown in previews and audit: which rule decided.' },
    description: { type: 'string', maxLength: 1000 },
    when: { type: 'string', minLength: 1, maxLength: 2000, description: 'FEEL condition over the case data, e.g. type = "complaint" or type = "fault".' },
    group: { ...groupName, description: 'Team or department key the case goes to.' },
    regionGroups: {
      type: 'object',
      description: "Region → regional team that takes the case instead of `group` when the case's region has one.",
      additionalProperties: groupName,
    },
  },
} as const;

export const routingRulesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    region: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      default: 'region',
      description: "FEEL expression for the customer's region in the case data; default `region`.",
    },
    rules: { type: 'array', minItems: 1, maxItems: 500, items: routingRuleSchema, description: 'Tried in order; the first whose `when` is true decides.' },
  },
} as const;

export type RoutingRule = FromSchema<typeof routingRuleSchema>;
export type RoutingRules = FromSchema<typeof routingRulesSchema>;

export const routingPreviewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  properties: { data: { type: 'object', additionalProperties: true, description: 'Case data as the intake form collects it (type, region, …).' } },
} as const;

export const routingPreviewResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['group', 'rule', 'region'],
  properties: {
    group: { type: ['string', 'null'], description: 'Where the case goes; null when no rule matches.' },
    region: { type: ['string', 'null'] },
    regional: { type: 'boolean', description: "The rule's regional team was chosen over its default group." },
    rule: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['index'],
      properties: { index: { type: 'integer' }, name: { type: ['string', 'null'] }, when: { type: 'string' } },
    },
  },
} as const;

export const reassignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['assignee', 'reason'],
  properties: { assignee: username, reason: reasonText },
} as const;

export const reassignResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'assignee', 'previousAssignee', 'reason', 'reassignedAt', 'reassignedBy'],
  properties: {
    id: { type: 'string' },
    assignee: { type: 'string' },
    previousAssignee: { type: ['string', 'null'] },
    reason: { type: 'string' },
    reassignedAt: { type: 'integer' },
    reassignedBy: { type: 'string' },
  },
} as const;

export const departmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'name'],
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$', description: 'What users\' teams/departments and candidate groups name, e.g. aftersales-tech.' },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Display name, e.g. 售后技术部.' },
    head: { anyOf: [username, { type: 'null' }], description: 'Username of the head, told when a task finds nobody (R8, R12).' },
    parent: { anyOf: [groupName, { type: 'null' }] },
  },
} as const;

export const departmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'name', 'head', 'parent'],
  properties: {
    key: { type: 'string' },
    name: { type: 'string' },
    head: { type: ['string', 'null'] },
    parent: { type: ['string', 'null'] },
    updatedAt: { type: 'integer' },
    updatedBy: { type: 'string' },
  },
} as const;

export const usernameParams = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const absenceParams = {
  type: 'object',
  required: ['username', 'id'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const absenceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'until', 'reason'],
  properties: {
    from: { type: 'string', format: 'date-time', description: 'First instant of the absence.' },
    until: { type: 'string', format: 'date-time', description: 'First instant back at work (exclusive).' },
    reason: reasonText,
  },
} as const;

export const absenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'username', 'from', 'until', 'reason'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    reason: { type: 'string' },
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
  },
} as const;
