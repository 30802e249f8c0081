import type { FromSchema } from 'json-schema-to-ts';

/**
 * An SLA policy (R5–R9): named clocks, each started and stopped by nodes of the process, paused
 * while the case waits on the customer or on parts, with targets chosen by FEEL conditions on the
 * case data and escalations on warning and breach. Shipped in definitions/sla, edited by admins.
 */
const localizedText = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      required: ['zh-CN', 'en'],
      additionalProperties: false,
      properties: { 'zh-CN': { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
    },
  ],
} as const;

const isoDuration = { type: 'string', pattern: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$' } as const;

const nodeEvent = {
  type: 'object',
  required: ['on'],
  additionalProperties: false,
  properties: {
    on: { type: 'string', enum: ['instanceStart', 'enter', 'leave', 'instanceEnd'] },
    nodes: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'BPMN node ids (enter/leave)' },
  },
} as const;

const recipients = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  description: 'assignee, department-head, customer, user:<name>, team:<name>, department:<name>, role:<role>',
} as const;

export const slaPolicySchema = {
  $id: 'SlaPolicy',
  type: 'object',
  required: ['key', 'name', 'clocks'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,99}$' },
    name: localizedText,
    description: { type: 'string' },
    calendar: { type: 'string', minLength: 1, description: 'calendar key for working-time targets' },
    clocks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['key', 'name', 'start', 'stop', 'targets'],
        additionalProperties: false,
        properties: {
          key: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,99}$' },
          name: localizedText,
          start: nodeEvent,
          stop: nodeEvent,
          pause: {
            type: 'object',
            additionalProperties: false,
            properties: {
              nodes: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'paused while a token waits at one of these' },
              when: { type: 'string', minLength: 1, description: 'FEEL over the case variables; paused while true' },
            },
          },
          targets: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['duration'],
              additionalProperties: false,
              properties: {
                when: { type: 'string', minLength: 1, description: 'FEEL; the first target whose condition holds applies' },
                duration: isoDuration,
                workingTime: { type: 'boolean', default: false },
                label: { type: 'string' },
              },
            },
          },
          warnAt: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.8 },
          notify: {
            type: 'object',
            additionalProperties: false,
            properties: {
              warn: recipients,
              breach: recipients,
              customerNoticeBefore: { ...isoDuration, description: 'tell the customer of a delay this long before the due time (R8)' },
            },
          },
        },
      },
    },
    offHoursReply: {
      type: 'object',
      required: ['within'],
      additionalProperties: false,
      description: 'R7: a case started outside working hours is promised contact within this much working time',
      properties: {
        within: isoDuration,
        variable: { type: 'string', default: 'promisedContactAt' },
        template: { type: 'string', default: 'off-hours-reply' },
        to: { type: 'string', default: 'customer' },
      },
    },
  },
} as const;

export type SlaPolicy = FromSchema<typeof slaPolicySchema>;
export type SlaClockDefinition = SlaPolicy['clocks'][number];
