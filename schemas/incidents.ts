/** Incidents and their retry (R35, R40): the API's JSON Schemas. */
export const incidentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'instanceId', 'processKey', 'nodeId', 'code', 'message', 'createdAt', 'resolvedAt', 'resolvedBy'],
  properties: {
    id: { type: 'string' },
    instanceId: { type: 'string' },
    caseNumber: { type: ['string', 'null'] },
    processKey: { type: 'string' },
    nodeId: { type: ['string', 'null'] },
    code: { type: 'string' },
    message: { type: 'string' },
    createdAt: { type: 'integer' },
    resolvedAt: { type: ['integer', 'null'] },
    resolvedBy: { type: ['string', 'null'] },
  },
} as const;

export const incidentListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    instanceId: { type: 'string', maxLength: 64 },
    open: { type: 'boolean', default: true, description: 'false: resolved incidents too' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export const retryParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'incidentId'],
  properties: { id: { type: 'string', maxLength: 64 }, incidentId: { type: 'string', maxLength: 64 } },
} as const;

export const retryBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    variables: {
      type: 'object',
      description: 'Variables to set in the same step before the node runs again (the fix for the data).',
      maxProperties: 100,
      propertyNames: { pattern: '^[A-Za-z_$][A-Za-z0-9_$]{0,99}$' },
    },
  },
} as const;

export const retryResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['retried', 'openIncidents'],
  properties: { retried: { type: 'integer' }, openIncidents: { type: 'array', items: incidentSchema } },
} as const;
