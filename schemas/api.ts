/**
 * JSON Schemas of the HTTP API, declared `as const` so fastify validates with them, the OpenAPI
 * document is generated from them and handler types are derived from them (json-schema-to-ts).
 */

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable code to branch on, e.g. LD_TASK_ALREADY_COMPLETED' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          path: { type: 'string', description: 'JSON pointer into the submitted data' },
          elementId: { type: ['string', 'null'], description: 'BPMN element at fault' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
} as const;

const errorRef = { $ref: 'Error#' } as const;
export const errorResponses = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 422: errorRef } as const;
/** Upload routes add 413 (too large) and 415 (not an accepted type). */
export const uploadErrorResponses = { ...errorResponses, 413: errorRef, 415: errorRef } as const;

const stringList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 100 } as const;
const variables = { type: 'object', additionalProperties: true } as const;
const nullableTime = { type: ['integer', 'null'] } as const;

export const healthResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'database', 'version'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    database: { type: 'string', enum: ['sqlite', 'postgresql'] },
    version: { type: 'string' },
    clock: { type: 'string', enum: ['system', 'manual'] },
    now: { type: 'integer' },
  },
} as const;

export const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const roleEnum = { type: 'string', enum: ['agent', 'supervisor', 'admin'] } as const;

export const userSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'username', 'roles'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' } },
    teams: { type: 'array', items: { type: 'string' } },
    departments: { type: 'array', items: { type: 'string' } },
    skills: { type: 'array', items: { type: 'string' } },
    permissions: { type: 'array', items: { type: 'string' } },
    location: { type: ['string', 'null'] },
    active: { type: 'boolean' },
  },
} as const;

export const loginResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'user', 'expiresAt'],
  properties: { token: { type: 'string' }, expiresAt: { type: 'integer' }, user: userSchema },
} as const;

export const createUserBody = {
  type: 'object',
  required: ['username', 'password', 'roles'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', pattern: '^[A-Za-z0-9._@-]{2,100}$' },
    password: { type: 'string', minLength: 8, maxLength: 500 },
    displayName: { type: 'string', maxLength: 200 },
    roles: { type: 'array', items: roleEnum, minItems: 1, uniqueItems: true },
    teams: stringList,
    departments: stringList,
    skills: stringList,
    permissions: stringList,
    location: { type: ['string', 'null'], maxLength: 200 },
  },
} as const;

export const definitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'status'],
  properties: {
    id: { type: 'string' },
    key: { type: 'string' },
    version: { type: 'integer' },
    status: { type: 'string', enum: ['draft', 'pilot', 'published', 'retired'] },
    name: { type: ['string', 'null'] },
    deployedAt: { type: 'integer' },
    deployedBy: { type: 'string' },
    publishedAt: nullableTime,
    pilotTeams: { type: ['array', 'null'], items: { type: 'string' } },
    pilotUntil: nullableTime,
  },
} as const;

export const deployJsonBody = {
  type: 'object',
  required: ['xml'],
  additionalProperties: false,
  properties: {
    xml: { type: 'string', minLength: 1 },
    publish: { type: 'boolean' },
  },
} as const;

export const deployQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { publish: { type: 'boolean', default: false } },
} as const;

export const deployResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'status', 'processes'],
  properties: {
    ...definitionSchema.properties,
    created: { type: 'boolean' },
    processes: { type: 'array', items: definitionSchema },
    warnings: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const keyVersionParams = {
  type: 'object',
  required: ['key', 'version'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 255 }, version: { type: 'integer', minimum: 1 } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const startInstanceBody = {
  type: 'object',
  required: ['processKey'],
  additionalProperties: false,
  properties: {
    processKey: { type: 'string', minLength: 1, maxLength: 255 },
    variables,
    businessKey: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    data: { type: 'object', additionalProperties: true, description: "the start event's form data (a case's intake form)" },
  },
} as const;

export const instanceSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'processKey', 'version', 'state'],
  properties: {
    id: { type: 'string' },
    processKey: { type: 'string' },
    version: { type: 'integer' },
    businessKey: { type: ['string', 'null'] },
    caseNumber: { type: ['string', 'null'] },
    customerId: { type: ['string', 'null'] },
    duplicateOf: { type: ['string', 'null'] },
    state: { type: 'string', enum: ['active', 'completed', 'terminated'] },
    startedAt: { type: 'integer' },
    endedAt: nullableTime,
  },
} as const;

export const taskSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'instanceId', 'nodeId', 'state'],
  properties: {
    id: { type: 'string' },
    instanceId: { type: 'string' },
    processKey: { type: 'string' },
    nodeId: { type: 'string' },
    name: { type: ['string', 'null'] },
    formId: { type: ['string', 'null'] },
    formVersion: { type: ['integer', 'null'] },
    state: { type: 'string', enum: ['open', 'completed', 'cancelled'] },
    assignee: { type: ['string', 'null'] },
    candidateGroups: { type: 'array', items: { type: 'string' } },
    candidateUsers: { type: 'array', items: { type: 'string' } },
    input: { type: ['object', 'null'], additionalProperties: true },
    data: { type: ['object', 'null'], additionalProperties: true },
    createdAt: { type: 'integer' },
    dueAt: nullableTime,
    followUpAt: nullableTime,
    claimedAt: nullableTime,
    completedAt: nullableTime,
    completedBy: { type: ['string', 'null'] },
    slaDueAt: nullableTime,
  },
} as const;

export const visitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['nodeId', 'type', 'enteredAt'],
  properties: {
    nodeId: { type: 'string' },
    name: { type: ['string', 'null'] },
    type: { type: 'string' },
    enteredAt: { type: 'integer' },
    leftAt: nullableTime,
    durationMs: nullableTime,
    workingMs: nullableTime,
    completedBy: { type: ['string', 'null'] },
    outcome: { type: ['string', 'null'] },
  },
} as const;

export const instanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...instanceSummarySchema.required, 'variables', 'openTasks', 'history'],
  properties: {
    ...instanceSummarySchema.properties,
    variables,
    openTasks: { type: 'array', items: taskSchema },
    history: { type: 'array', items: visitSchema },
    incidents: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          nodeId: { type: ['string', 'null'] },
          code: { type: 'string' },
          message: { type: 'string' },
          createdAt: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const taskListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: ['open', 'completed', 'cancelled'] },
    assignee: { type: 'string', maxLength: 100 },
    candidateGroup: { type: 'string', maxLength: 200 },
    processKey: { type: 'string', maxLength: 255 },
    instanceId: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    sort: { type: 'string', enum: ['created', 'timeToBreach'], default: 'created' },
    breachWithinMs: { type: 'integer', description: 'only tasks whose case breaches an SLA within this many ms' },
  },
} as const;

export const taskListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'total'],
  properties: { items: { type: 'array', items: taskSchema }, total: { type: 'integer' } },
} as const;

export const completeTaskBody = {
  type: 'object',
  additionalProperties: false,
  properties: { data: { type: 'object', additionalProperties: true, default: {} } },
} as const;

export const messageBody = {
  type: 'object',
  required: ['name', 'businessKey'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    businessKey: { type: 'string', minLength: 1, maxLength: 255 },
    variables,
  },
} as const;

export const clockBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    advance: { type: 'string', pattern: '^P', description: 'ISO 8601 duration, e.g. PT3H' },
    now: { type: 'string', format: 'date-time' },
  },
} as const;

export const clockResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['now', 'firedJobs'],
  properties: { now: { type: 'string' }, firedJobs: { type: 'integer' } },
} as const;

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    entityType: { type: 'string', maxLength: 60 },
    entityId: { type: 'string', maxLength: 300 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const formSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'status'],
  properties: {
    key: { type: 'string' },
    version: { type: 'integer' },
    status: { type: 'string', enum: ['draft', 'published', 'retired'] },
    title: {},
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
    publishedAt: nullableTime,
    created: { type: 'boolean' },
  },
} as const;

export const saveFormQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { publish: { type: 'boolean', default: false } },
} as const;

export const formDataBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: { data: { type: 'object', additionalProperties: true } },
} as const;

const formErrorItem = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
} as const;

const reminderItem = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' }, rule: { type: 'string' } },
} as const;

export const validationResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['valid', 'errors', 'reminders'],
  properties: {
    valid: { type: 'boolean' },
    errors: { type: 'array', items: formErrorItem },
    reminders: { type: 'array', items: reminderItem },
  },
} as const;

export const taskFormSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'schema', 'uiSchema', 'data', 'reminders'],
  properties: {
    key: { type: 'string' },
    version: { type: 'integer' },
    title: {},
    schema: { type: 'object', additionalProperties: true },
    uiSchema: { type: 'object', additionalProperties: true },
    data: { type: 'object', additionalProperties: true },
    reminders: { type: 'array', items: reminderItem },
  },
} as const;

export const fieldUsageSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { type: 'integer' },
      field: { type: 'string' },
      filledCount: { type: 'integer' },
      emptyCount: { type: 'integer' },
      changedAfterFirstEntry: { type: 'integer' },
      fillRate: { type: 'number' },
      lastFilledAt: nullableTime,
    },
  },
} as const;
