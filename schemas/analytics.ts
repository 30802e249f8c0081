/**
 * JSON Schemas of the analytics API (R9, R22, R24–R30, R41) and of its admin-edited definition
 * (targets, benchmarks and report settings: definitions/analytics/targets.json). Durations are
 * milliseconds, rates are fractions (0.8 = 80%), NPS is in points (−100 … 100).
 */
import type { FromSchema } from 'json-schema-to-ts';

const label = {
  type: 'object',
  additionalProperties: false,
  properties: { 'zh-CN': { type: 'string', maxLength: 200 }, en: { type: 'string', maxLength: 200 } },
} as const;

const dim = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** Dimension filters a target or an optimisation action is measured on. */
export const dimensionFilters = {
  type: 'object',
  additionalProperties: false,
  properties: { department: dim, team: dim, person: dim, channel: dim, type: dim, urgency: dim, version: { type: 'integer', minimum: 1 } },
} as const;

export const METRIC_KEYS = [
  'cases',
  'responseMs.mean',
  'responseMs.median',
  'responseMs.p90',
  'resolutionMs.mean',
  'resolutionMs.median',
  'resolutionMs.p90',
  'cycleMs.mean',
  'cycleMs.median',
  'slaAttainment.response',
  'slaAttainment.resolution',
  'fcrRate',
  'finalResolutionRate',
  'reopenRate',
  'satisfaction.mean',
  'nps',
  'lowScoreRate',
  'complaintRate',
] as const;

export const metricKey = { type: 'string', enum: METRIC_KEYS } as const;

/** A target value: a number (rate, score, points, ms) or an ISO 8601 duration (PT24H) for duration metrics. */
const targetValue = { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^P', maxLength: 40 }] } as const;

export const analyticsSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exactCaseLimit: { type: 'integer', minimum: 0, default: 20_000, description: 'above this many cases, unfiltered duration reports read the daily aggregates (percentiles within ±1%)' },
    minGroupSize: { type: 'integer', minimum: 2, default: 20, description: 'pilot/baseline and before/after: fewer cases per group give "not enough data"' },
    significance: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.05 },
    bootstrapResamples: { type: 'integer', minimum: 100, maximum: 20_000, default: 2000 },
    bootstrapSeed: { type: 'integer', minimum: 0, default: 20240501 },
    incompleteOpenDays: { type: 'number', minimum: 0, default: 3, description: 'R9: an open case older than this without a first response is incomplete' },
    reviewSampleRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1 },
    lowScoreBelow: { type: 'integer', minimum: 1, maximum: 6, default: 3 },
    coachingLowScores: { type: 'integer', minimum: 1, default: 2, description: 'R41: this many low scores in a month flag coaching' },
    actionWindowDays: { type: 'integer', minimum: 1, maximum: 366, default: 28 },
    ageingHours: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, maxItems: 20, default: [24, 72, 168, 336] },
    slowestPerNode: { type: 'integer', minimum: 0, maximum: 100, default: 5 },
  },
} as const;

export const targetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'metric'],
  properties: {
    key: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 100 },
    label,
    metric: metricKey,
    filters: dimensionFilters,
    target: targetValue,
    baseline: targetValue,
    change: { type: 'number', minimum: -1, maximum: 10, description: 'relative change from baseline (−0.5 = halve, 0.15 = +15%) when no absolute target is given' },
    benchmark: {
      type: 'object',
      additionalProperties: false,
      required: ['value'],
      properties: { value: targetValue, label },
    },
  },
} as const;

export const analyticsDefinitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: {
    key: { type: 'string', const: 'targets' },
    description: { type: 'string', maxLength: 2000 },
    settings: analyticsSettingsSchema,
    targets: { type: 'array', items: targetSchema, maxItems: 200 },
  },
} as const;

export type AnalyticsDefinition = FromSchema<typeof analyticsDefinitionSchema>;
export type AnalyticsTarget = FromSchema<typeof targetSchema>;
export type DimensionFilters = FromSchema<typeof dimensionFilters>;
export type MetricKey = (typeof METRIC_KEYS)[number];

// --- Query strings ------------------------------------------------------------------------------

const filterProperties = {
  from: { type: 'string', maxLength: 40, description: 'YYYY-MM-DD (analytics time zone), ISO date-time or epoch ms; cases started at or after' },
  to: { type: 'string', maxLength: 40, description: 'YYYY-MM-DD (inclusive day), ISO date-time or epoch ms (exclusive); cases started before' },
  processKey: { type: 'string', maxLength: 255 },
  version: { type: 'integer', minimum: 1 },
  department: dim,
  team: dim,
  person: dim,
  channel: dim,
  type: dim,
  urgency: dim,
} as const;

export const filterQuery = { type: 'object', additionalProperties: false, properties: filterProperties } as const;

export const nodesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, exact: { type: 'boolean', default: false, description: 'never use the daily aggregates' } },
} as const;

export const satisfactionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, interval: { type: 'string', enum: ['week', 'month'], default: 'week' } },
} as const;

export const peopleQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, groupBy: { type: 'string', enum: ['person', 'department'], default: 'person' }, month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
} as const;

export const monthQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
} as const;

export const pilotQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['processKey', 'version'],
  properties: { ...filterProperties },
} as const;

export const reportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    period: { type: 'string', enum: ['week', 'month'], default: 'week' },
    at: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a day inside the period; default: the last complete period' },
    format: { type: 'string', enum: ['json', 'csv', 'xlsx', 'html'], default: 'json' },
  },
} as const;

export const weekParams = {
  type: 'object',
  additionalProperties: false,
  required: ['week'],
  properties: { week: { type: 'string', pattern: '^\\d{4}-W\\d{2}$', description: 'ISO week, e.g. 2024-W19 (analytics time zone)' } },
} as const;

export const reviewDrawQuery = { type: 'object', additionalProperties: false, properties: { processKey: { type: 'string', maxLength: 255 } } } as const;

export const findingBody = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'category', 'cause'],
  properties: {
    instanceId: { type: 'string', minLength: 1, maxLength: 64 },
    category: { type: 'string', enum: ['people', 'process', 'tool'], description: '人 / 流程 / 工具' },
    cause: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' },
    action: { type: 'string', maxLength: 2000 },
  },
} as const;

export const actionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'processKey', 'effectiveAt', 'metric', 'target'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
    description: { type: ['string', 'null'], maxLength: 4000 },
    processKey: { type: 'string', minLength: 1, maxLength: 255 },
    effectiveAt: { type: 'string', maxLength: 40, description: 'YYYY-MM-DD, ISO date-time or epoch ms' },
    metric: metricKey,
    target: targetValue,
    filters: dimensionFilters,
    windowDays: { type: 'integer', minimum: 1, maximum: 366 },
  },
} as const;

export const actionPatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...actionBody.properties, rev: { type: 'integer', minimum: 1, description: 'the revision you edited; 409 when it changed' } },
} as const;

export type ActionBody = FromSchema<typeof actionBody>;
export type ActionPatch = FromSchema<typeof actionPatchBody>;
export type FindingBody = FromSchema<typeof findingBody>;

// --- Responses ----------------------------------------------------------------------------------

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['count', 'mean', 'min', 'median', 'p90', 'max'],
  properties: { count: { type: 'integer' }, mean: nullableNumber, min: nullableNumber, median: nullableNumber, p90: nullableNumber, max: nullableNumber },
} as const;

const caseRef = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'caseNumber'],
  properties: {
    instanceId: { type: 'string' },
    caseNumber: nullableString,
    description: nullableString,
    owner: nullableString,
    department: nullableString,
    type: nullableString,
    startedAt: { type: 'integer' },
    valueMs: nullableNumber,
    workingMs: nullableNumber,
    score: nullableNumber,
  },
} as const;

const precision = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: {
    source: { type: 'string', enum: ['exact', 'daily-aggregates'] },
    relativeError: { type: 'number', description: 'bound on the relative error of median and p90 from the daily aggregates' },
  },
} as const;

export const nodesResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['precision', 'cases', 'nodes'],
  properties: {
    precision,
    cases: { type: 'integer' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['processKey', 'nodeId', 'name', 'wall', 'working', 'slowest'],
        properties: {
          processKey: { type: 'string' },
          nodeId: { type: 'string' },
          name: nullableString,
          type: nullableString,
          wall: summarySchema,
          working: summarySchema,
          slowest: { type: 'array', items: caseRef },
        },
      },
    },
  },
} as const;

const clockStats = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'met', 'breached', 'attainment', 'breachRate', 'elapsed'],
  properties: {
    key: { type: 'string' },
    met: { type: 'integer' },
    breached: { type: 'integer' },
    attainment: nullableNumber,
    breachRate: nullableNumber,
    elapsed: summarySchema,
  },
} as const;

export const slaQuery = nodesQuery;

export const slaResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['precision', 'cases', 'response', 'resolution', 'clocks'],
  properties: { precision, cases: { type: 'integer' }, response: summarySchema, resolution: summarySchema, clocks: { type: 'array', items: clockStats } },
} as const;

const overdueItem = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'clock', 'dueAt', 'overdueMs'],
  properties: {
    instanceId: { type: 'string' },
    caseNumber: nullableString,
    owner: nullableString,
    department: nullableString,
    type: nullableString,
    urgency: nullableString,
    clock: { type: 'string' },
    dueAt: nullableNumber,
    breachedAt: nullableNumber,
    overdueMs: { type: 'number' },
  },
} as const;

export const backlogResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['open', 'ageing', 'overdue'],
  properties: {
    open: { type: 'integer' },
    ageing: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['label', 'fromHours', 'toHours', 'count'], properties: { label: { type: 'string' }, fromHours: { type: 'number' }, toHours: nullableNumber, count: { type: 'integer' } } },
    },
    overdue: { type: 'array', items: overdueItem },
  },
} as const;

const rateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['count', 'of', 'rate'],
  properties: { count: { type: 'integer' }, of: { type: 'integer' }, rate: nullableNumber, target: nullableNumber, achieved: { type: ['boolean', 'null'] } },
} as const;

const countItem = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'count', 'share'],
  properties: { key: nullableString, count: { type: 'integer' }, share: { type: 'number' }, cumulativeShare: { type: 'number' }, vital: { type: 'boolean' } },
} as const;

export const qualityResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['cases', 'firstContactResolution', 'finalResolution', 'reopen', 'unresolvedReasons'],
  properties: { cases: { type: 'integer' }, firstContactResolution: rateSchema, finalResolution: rateSchema, reopen: rateSchema, unresolvedReasons: { type: 'array', items: countItem } },
} as const;

const npsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['responses', 'promoters', 'passives', 'detractors', 'nps'],
  properties: { responses: { type: 'integer' }, promoters: { type: 'integer' }, passives: { type: 'integer' }, detractors: { type: 'integer' }, nps: nullableNumber },
} as const;

export const satisfactionResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['responses', 'mean', 'distribution', 'nps', 'trend', 'lowScores'],
  properties: {
    responses: { type: 'integer' },
    mean: nullableNumber,
    distribution: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['score', 'count'], properties: { score: { type: 'integer' }, count: { type: 'integer' } } } },
    nps: npsSchema,
    trend: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['period', 'from', 'responses', 'mean', 'nps'],
        properties: { period: { type: 'string' }, from: { type: 'integer' }, responses: { type: 'integer' }, mean: nullableNumber, nps: nullableNumber },
      },
    },
    lowScores: { type: 'array', items: caseRef },
  },
} as const;

export const mixResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['cases', 'types', 'channels', 'productModels', 'causes', 'pareto'],
  properties: {
    cases: { type: 'integer' },
    types: { type: 'array', items: countItem },
    channels: { type: 'array', items: countItem },
    urgencies: { type: 'array', items: countItem },
    productModels: { type: 'array', items: countItem },
    causes: { type: 'array', items: countItem },
    pareto: {
      type: 'object',
      additionalProperties: false,
      required: ['total', 'threshold', 'items'],
      properties: { total: { type: 'integer' }, threshold: { type: 'number' }, items: { type: 'array', items: countItem } },
    },
  },
} as const;

export const faultReportResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['month', 'from', 'to', 'cases', 'items'],
  properties: {
    month: { type: 'string' },
    from: { type: 'integer' },
    to: { type: 'integer' },
    cases: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productModel', 'cause', 'count', 'share', 'previousCount', 'change'],
        properties: {
          productModel: nullableString,
          cause: nullableString,
          count: { type: 'integer' },
          share: { type: 'number' },
          previousCount: { type: 'integer' },
          change: { type: 'integer' },
          examples: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const personRow = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'cases', 'resolved', 'resolutionRate', 'fcrRate', 'resolutionMs', 'satisfaction', 'lowScores'],
  properties: {
    key: nullableString,
    rank: { type: ['integer', 'null'] },
    cases: { type: 'integer' },
    resolved: { type: 'integer' },
    resolutionRate: nullableNumber,
    fcrRate: nullableNumber,
    resolutionMs: summarySchema,
    satisfaction: nullableNumber,
    scored: { type: 'integer' },
    lowScores: { type: 'integer' },
    coaching: { type: 'boolean' },
  },
} as const;

export const peopleResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['groupBy', 'rows'],
  properties: {
    groupBy: { type: 'string' },
    month: nullableString,
    rows: { type: 'array', items: personRow },
    coaching: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['person', 'month', 'lowScores', 'cases'],
        properties: { person: { type: 'string' }, month: { type: 'string' }, lowScores: { type: 'integer' }, cases: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;

const metricValue = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'value', 'n'],
  properties: { metric: { type: 'string' }, value: nullableNumber, n: { type: 'integer' } },
} as const;

export const targetsResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'items'],
  properties: {
    from: nullableNumber,
    to: nullableNumber,
    settings: { type: 'object', additionalProperties: true },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'metric', 'actual', 'n', 'target', 'better', 'achieved'],
        properties: {
          key: { type: 'string' },
          label: label,
          metric: { type: 'string' },
          filters: { type: 'object', additionalProperties: true },
          unit: { type: 'string' },
          better: { type: 'string', enum: ['lower', 'higher'] },
          actual: nullableNumber,
          n: { type: 'integer' },
          target: nullableNumber,
          baseline: nullableNumber,
          achieved: { type: ['boolean', 'null'] },
          benchmark: {
            type: 'object',
            additionalProperties: false,
            properties: { value: nullableNumber, label: label, beaten: { type: ['boolean', 'null'] } },
          },
        },
      },
    },
  },
} as const;

export const incompleteResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['checked', 'items'],
  properties: {
    checked: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['instanceId', 'problems'],
        properties: {
          instanceId: { type: 'string' },
          caseNumber: nullableString,
          processKey: { type: 'string' },
          state: { type: 'string' },
          owner: nullableString,
          startedAt: { type: 'integer' },
          endedAt: nullableNumber,
          problems: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const durationComparison = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'pilot', 'baseline', 'verdict'],
  properties: {
    metric: { type: 'string' },
    pilot: summarySchema,
    baseline: summarySchema,
    medianDifference: nullableNumber,
    ci: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { lower: { type: 'number' }, upper: { type: 'number' }, level: { type: 'number' }, resamples: { type: 'integer' }, seed: { type: 'integer' } },
    },
    mannWhitney: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { u: { type: 'number' }, z: { type: 'number' }, pValue: { type: 'number' } },
    },
    verdict: { type: 'string', enum: ['not-enough-data', 'no-significant-difference', 'better', 'worse'] },
  },
} as const;

const rateComparison = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'pilot', 'baseline', 'verdict'],
  properties: {
    metric: { type: 'string' },
    pilot: metricValue,
    baseline: metricValue,
    difference: nullableNumber,
    pValue: nullableNumber,
    verdict: { type: 'string', enum: ['not-enough-data', 'no-significant-difference', 'better', 'worse', 'not-tested'] },
  },
} as const;

export const comparisonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['groups', 'durations', 'metrics', 'minGroupSize'],
  properties: {
    groups: {
      type: 'object',
      additionalProperties: false,
      properties: {
        pilot: { type: 'object', additionalProperties: false, properties: { label: { type: 'string' }, cases: { type: 'integer' }, from: nullableNumber, to: nullableNumber } },
        baseline: { type: 'object', additionalProperties: false, properties: { label: { type: 'string' }, cases: { type: 'integer' }, from: nullableNumber, to: nullableNumber } },
      },
    },
    minGroupSize: { type: 'integer' },
    durations: { type: 'array', items: durationComparison },
    metrics: { type: 'array', items: rateComparison },
  },
} as const;

export const pilotResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['processKey', 'version', 'from', 'to', 'comparison'],
  properties: {
    processKey: { type: 'string' },
    version: { type: 'integer' },
    status: nullableString,
    pilotTeams: { type: 'array', items: { type: 'string' } },
    from: { type: 'integer' },
    to: { type: 'integer' },
    comparison: comparisonSchema,
  },
} as const;

export const actionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'processKey', 'effectiveAt', 'metric', 'target', 'status', 'windowDays', 'createdBy', 'createdAt', 'rev'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: nullableString,
    processKey: { type: 'string' },
    effectiveAt: { type: 'integer' },
    metric: { type: 'string' },
    target: { type: 'number' },
    filters: { type: 'object', additionalProperties: true },
    windowDays: { type: 'integer' },
    status: { type: 'string', enum: ['planned', 'measuring', 'achieved', 'needs-another-round'] },
    before: nullableNumber,
    after: nullableNumber,
    evaluatedAt: nullableNumber,
    createdBy: { type: 'string' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    rev: { type: 'integer' },
  },
} as const;

export const actionComparisonResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'before', 'after', 'targetMet', 'status', 'comparison'],
  properties: {
    action: actionSchema,
    before: { type: 'object', additionalProperties: false, properties: { from: { type: 'integer' }, to: { type: 'integer' }, value: nullableNumber, n: { type: 'integer' } } },
    after: { type: 'object', additionalProperties: false, properties: { from: { type: 'integer' }, to: { type: 'integer' }, value: nullableNumber, n: { type: 'integer' } } },
    targetMet: { type: ['boolean', 'null'] },
    windowComplete: { type: 'boolean' },
    status: { type: 'string' },
    comparison: comparisonSchema,
  },
} as const;

const findingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'week', 'instanceId', 'category', 'cause', 'recordedBy', 'recordedAt'],
  properties: {
    id: { type: 'string' },
    week: { type: 'string' },
    instanceId: { type: 'string' },
    category: { type: 'string' },
    cause: { type: 'string' },
    action: nullableString,
    recordedBy: { type: 'string' },
    recordedAt: { type: 'integer' },
  },
} as const;

export const reviewResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['week', 'from', 'to', 'frozen', 'candidates', 'sampleSize', 'seed', 'sample', 'findings'],
  properties: {
    week: { type: 'string' },
    from: { type: 'integer' },
    to: { type: 'integer' },
    frozen: { type: 'boolean', description: 'drawn and stored; later data does not change it' },
    candidates: { type: 'integer' },
    sampleSize: { type: 'integer' },
    seed: { type: 'integer' },
    sample: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['instanceId', 'reason'],
        properties: { instanceId: { type: 'string' }, caseNumber: nullableString, reason: { type: 'string' }, type: nullableString, owner: nullableString, description: nullableString },
      },
    },
    findings: { type: 'array', items: findingSchema },
  },
} as const;

export { findingSchema };

export const reportRunParams = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'label'],
  properties: { kind: { type: 'string', enum: ['week', 'month'] }, label: { type: 'string', pattern: '^\\d{4}-(W\\d{2}|\\d{2})$' } },
} as const;

export const reportRunQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['json', 'html'], default: 'json' } },
} as const;

export const reportRunSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'label', 'from', 'to', 'generatedAt'],
  properties: {
    kind: { type: 'string', enum: ['week', 'month'] },
    label: { type: 'string' },
    from: { type: 'integer' },
    to: { type: 'integer' },
    generatedAt: { type: 'integer' },
  },
} as const;
