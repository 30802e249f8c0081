/**
 * Analytics tables (R9, R22, R24–R29, R41). Same conventions as ../store/entities.ts: text ids,
 * epoch-ms BIGINT times, JSON as TEXT, 0/1 integers.
 *
 * `case_facts` is derived data: one narrow row per instance with the dimensions every report
 * filters on (channel, type, urgency, department, owner …) and the outcomes they count (resolved,
 * first-contact resolution, score, NPS, SLA clocks, node durations), rebuilt from the instance, its
 * node visits, tasks and clocks by `recordCaseFacts`. `analytics_daily` pre-aggregates durations per
 * case-start day (count, sum, min, max, a log histogram and the slowest cases) so reports over
 * hundreds of thousands of cases read a few thousand rows.
 */
import { EntitySchema } from '@mikro-orm/core';

const str = (length: number, nullable = false) => ({ type: 'string', columnType: `varchar(${length})`, nullable }) as const;
const text = (nullable = false) => ({ type: 'text', columnType: 'text', nullable }) as const;
const time = (nullable = false) => ({ type: 'bigint', columnType: 'bigint', nullable }) as const;
const int = (nullable = false, dflt?: number) =>
  ({ type: 'integer', columnType: 'integer', nullable, ...(dflt === undefined ? {} : { default: dflt }) }) as const;
const real = (nullable = false) => ({ type: 'double', columnType: 'double precision', nullable }) as const;

// Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
const extra = (o: object) => o as object;

export const CaseFacts = new EntitySchema({
  name: 'CaseFacts',
  tableName: 'case_facts',
  properties: {
    instanceId: { ...str(64), primary: true },
    processKey: str(255),
    version: int(),
    caseNumber: str(60, true),
    customerId: str(64, true),
    state: str(20),
    startedAt: time(),
    endedAt: time(true),
    /** Day of the start in the analytics time zone (days since 1970-01-01 there). */
    day: int(),
    /** The instance revision these facts were computed from. */
    rev: int(),
    starter: str(100),
    channel: str(60, true),
    type: str(60, true),
    urgency: str(20, true),
    productModel: str(200, true),
    region: str(60, true),
    department: str(200, true),
    owner: str(100, true),
    cause: str(500, true),
    description: str(500, true),
    resolved: int(true),
    unresolvedReason: str(500, true),
    /** handling.firstContactResolution as entered (1/0), null when not entered. */
    fcrMark: int(true),
    reopenCount: int(false, 0),
    redispatchCount: int(false, 0),
    /** Resolved at first contact: resolved, never reopened, never re-dispatched, not marked otherwise. */
    fcr: int(true),
    satisfaction: int(true),
    nps: int(true),
    callbackOutcome: str(60, true),
    responseMs: time(true),
    responseState: str(20, true),
    resolutionMs: time(true),
    resolutionState: str(20, true),
    /** JSON arrays, first clock per key (facts.ts parseClocks). */
    clocks: text(),
    /** JSON [[nodeId, wallMs, workingMs|null, completedBy|null]] of closed visits. */
    nodeTimes: text(),
    /** Aggregate changes not yet applied to analytics_daily (JSON), with `dirty` = 1. */
    pending: text(true),
    dirty: int(false, 0),
    updatedAt: time(),
  },
  ...extra({
    indexes: [
      { properties: ['processKey', 'startedAt'] },
      { properties: ['processKey', 'version', 'startedAt'] },
      { properties: ['startedAt'] },
      { properties: ['state'] },
      { properties: ['dirty'] },
      { properties: ['endedAt'] },
    ],
  }),
});

/** Durations and SLA outcomes pre-aggregated per process version, case-start day and metric. */
export const AnalyticsDaily = new EntitySchema({
  name: 'AnalyticsDaily',
  tableName: 'analytics_daily',
  properties: {
    processKey: { ...str(255), primary: true },
    version: { ...int(), primary: true },
    day: { ...int(), primary: true },
    /** `case`, `node:<id>:wall`, `node:<id>:work`, `clock:<key>`. */
    metric: { ...str(300), primary: true },
    n: int(false, 0),
    sumMs: time(),
    minMs: time(true),
    maxMs: time(true),
    met: int(false, 0),
    breached: int(false, 0),
    /** JSON {bucket: count} of log buckets (see stats.ts). */
    hist: text(),
    /** JSON [[value, instanceId]] of the slowest, longest first. */
    top: text(),
  },
});

/** Optimisation actions (R28): what was changed when, which metric it should move, to what. */
export const OptimisationAction = new EntitySchema({
  name: 'OptimisationAction',
  tableName: 'optimisation_actions',
  properties: {
    id: { ...str(64), primary: true },
    title: str(500),
    description: text(true),
    processKey: str(255),
    effectiveAt: time(),
    metric: str(100),
    target: real(),
    /** JSON filters the metric is measured on (e.g. {"type":"complaint"}). */
    filters: text(true),
    windowDays: int(false, 28),
    /** planned | measuring | achieved | needs-another-round */
    status: str(30),
    before: real(true),
    after: real(true),
    evaluatedAt: time(true),
    createdBy: str(100),
    createdAt: time(),
    updatedAt: time(),
    rev: int(false, 1),
  },
  ...extra({ indexes: [{ properties: ['processKey', 'effectiveAt'] }] }),
});

/** The weekly review's drawn cases (R27), frozen when first drawn so later data does not change them. */
export const ReviewSample = new EntitySchema({
  name: 'ReviewSample',
  tableName: 'review_samples',
  properties: {
    week: { ...str(10), primary: true },
    instanceId: { ...str(64), primary: true },
    processKey: str(255, true),
    reason: str(40),
    seed: time(),
    drawnAt: time(),
    drawnBy: str(100),
  },
});

/** People / process / tool causes recorded for a sampled case in the weekly review (R27). */
export const ReviewFinding = new EntitySchema({
  name: 'ReviewFinding',
  tableName: 'review_findings',
  properties: {
    id: { ...str(64), primary: true },
    week: str(10),
    instanceId: str(64),
    category: str(20),
    cause: text(),
    action: text(true),
    recordedBy: str(100),
    recordedAt: time(),
  },
  ...extra({ indexes: [{ properties: ['week'] }] }),
});

/** Admin-edited analytics definitions: `targets` (R25, R29) with the report settings. */
export const AnalyticsSetting = new EntitySchema({
  name: 'AnalyticsSetting',
  tableName: 'analytics_settings',
  properties: {
    key: { ...str(100), primary: true },
    definition: text(),
    updatedAt: time(),
    updatedBy: str(100),
  },
});

/**
 * The scheduled weekly and monthly reports (R24): one row per period, keyed by it, so two nodes
 * that both notice a period has ended generate it once (the second insert is a no-op).
 */
export const ReportRun = new EntitySchema({
  name: 'ReportRun',
  tableName: 'report_runs',
  properties: {
    kind: { ...str(10), primary: true },
    label: { ...str(20), primary: true },
    fromAt: time(),
    toAt: time(),
    generatedAt: time(),
    summary: text(),
  },
});

export const analyticsEntities = [CaseFacts, AnalyticsDaily, OptimisationAction, ReviewSample, ReviewFinding, AnalyticsSetting, ReportRun];
