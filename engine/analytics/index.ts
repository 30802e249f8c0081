/**
 * Process and service analytics (R9, R22, R24–R30, R41): the use cases the routes call. Each brings
 * the case facts up to date (`ensureFacts`), reads the analytics definition, and runs one report.
 * `recordCaseFacts` is for the engine's step; `analyticsEntities` for the schema.
 */
import { forbidden, notFound } from '../core/errors.ts';
import { type EngineContext, type Principal, isSupervisor } from '../usecases/context.ts';
import type { ActionBody, ActionPatch, FindingBody } from '../../schemas/analytics.ts';
import { actionComparison, createAction, deleteAction, evaluateAction, getAction, listActions, updateAction } from './actions.ts';
import { ensureFacts } from './facts.ts';
import { type AnalyticsFilter, type FilterQuery, toFilter } from './filters.ts';
import { incompleteRecords } from './incomplete.ts';
import { mix, monthlyFaultReport } from './mix.ts';
import { nodeDurations } from './nodes.ts';
import { people } from './people.ts';
import { reportPeriod } from './periods.ts';
import { pilotComparison } from './pilot.ts';
import { quality } from './quality.ts';
import { type ReportOptions, csvChunks, reportSummary, reportXlsx } from './report.ts';
import { renderReportHtml, reportHtml } from './reportHtml.ts';
import { getReportRun, listReportRuns } from './reportSchedule.ts';
import { addFinding, freezeReview, weeklyReview } from './review.ts';
import { getDefinition, saveDefinition } from './settings.ts';
import { satisfaction } from './satisfaction.ts';
import { backlog, slaReport } from './sla.ts';
import { targetsReport } from './targets.ts';

export { analyticsEntities } from './entities.ts';
export { backfillCaseFacts, ensureFacts, recordCaseFacts } from './facts.ts';
export { loadShippedTargets } from './settings.ts';
export { generateDueReports, ReportScheduler } from './reportSchedule.ts';
export { listReportRuns };

/** A stored weekly/monthly report, as JSON or as the HTML page in the reader's language. */
export async function reportRun(ctx: EngineContext, kind: string, label: string, format: 'json' | 'html', lang: 'zh-CN' | 'en') {
  const run = await getReportRun(ctx, kind, label);
  if (!run) throw notFound('report', `${kind} ${label}`);
  return format === 'html' ? { kind: 'html' as const, body: renderReportHtml(run.summary, lang) } : { kind: 'json' as const, body: run };
}

/** Facts current, then the definition: what every report starts with. */
async function prepare(ctx: EngineContext) {
  await ensureFacts(ctx.db, ctx.clock.now());
  return getDefinition(ctx.db);
}

/** Agents see only their own cases; supervisors and admins everything. */
function scoped(q: FilterQuery, who: Principal): AnalyticsFilter {
  const f = toFilter(q);
  if (isSupervisor(who)) return f;
  if (f.person && f.person !== who.username) throw forbidden('agents see only their own figures');
  return { ...f, person: who.username, team: undefined, department: undefined };
}

export async function nodesReport(ctx: EngineContext, q: FilterQuery & { exact?: boolean }) {
  const def = await prepare(ctx);
  return nodeDurations(ctx.db, toFilter(q), def.settings, { exact: q.exact });
}

export async function slaStats(ctx: EngineContext, q: FilterQuery & { exact?: boolean }) {
  const def = await prepare(ctx);
  return slaReport(ctx.db, toFilter(q), def.settings, { exact: q.exact });
}

export async function backlogReport(ctx: EngineContext, q: FilterQuery) {
  const def = await prepare(ctx);
  return backlog(ctx.db, toFilter(q), def.settings, ctx.clock.now());
}

export async function qualityReport(ctx: EngineContext, q: FilterQuery) {
  const def = await prepare(ctx);
  return quality(ctx.db, toFilter(q), def);
}

export async function satisfactionReport(ctx: EngineContext, q: FilterQuery & { interval?: 'week' | 'month' }) {
  const def = await prepare(ctx);
  return satisfaction(ctx.db, toFilter(q), def.settings, q.interval ?? 'week');
}

export async function mixReport(ctx: EngineContext, q: FilterQuery) {
  await prepare(ctx);
  return mix(ctx.db, toFilter(q));
}

export async function faultReport(ctx: EngineContext, q: FilterQuery & { month?: string; limit?: number }) {
  await prepare(ctx);
  return monthlyFaultReport(ctx.db, toFilter({ ...q, from: undefined, to: undefined }), q.month, ctx.clock.now(), q.limit ?? 20);
}

export async function peopleReport(ctx: EngineContext, q: FilterQuery & { groupBy?: 'person' | 'department'; month?: string }, who: Principal) {
  const def = await prepare(ctx);
  const f = scoped(q, who);
  return people(ctx.db, f, def.settings, isSupervisor(who) ? (q.groupBy ?? 'person') : 'person', q.month);
}

export async function targetsWithActuals(ctx: EngineContext, q: FilterQuery) {
  const def = await prepare(ctx);
  return targetsReport(ctx.db, toFilter(q), def);
}

export const getTargets = (ctx: EngineContext) => getDefinition(ctx.db);
export const saveTargets = saveDefinition;

export async function incompleteReport(ctx: EngineContext, q: FilterQuery) {
  const def = await prepare(ctx);
  return incompleteRecords(ctx.db, toFilter(q), def.settings, ctx.clock.now());
}

export async function pilotReport(ctx: EngineContext, q: FilterQuery & { processKey: string; version: number }) {
  const def = await prepare(ctx);
  return pilotComparison(ctx.db, q.processKey, q.version, toFilter(q), def.settings, ctx.clock.now());
}

export { createAction, deleteAction, listActions, updateAction };
export const getOptimisationAction = getAction;

export async function actionComparisonReport(ctx: EngineContext, id: string) {
  const def = await prepare(ctx);
  const action = await getAction(ctx, id);
  return { action, ...(await actionComparison(ctx.db, action, def.settings, ctx.clock.now())) };
}

export async function evaluateOptimisationAction(ctx: EngineContext, id: string, who: Principal, requestId?: string) {
  await prepare(ctx);
  return evaluateAction(ctx, id, who, requestId);
}

export async function reviewReport(ctx: EngineContext, week: string, processKey?: string) {
  const def = await prepare(ctx);
  return weeklyReview(ctx.db, week, def.settings, processKey);
}

export async function drawReviewSample(ctx: EngineContext, week: string, who: Principal, processKey?: string, requestId?: string) {
  const def = await prepare(ctx);
  return freezeReview(ctx, week, def.settings, who, processKey, requestId);
}

export const recordFinding = (ctx: EngineContext, week: string, body: FindingBody, who: Principal, requestId?: string) => addFinding(ctx, week, body, who, requestId);

export type ReportRequest = FilterQuery & { period?: 'week' | 'month'; at?: string; format?: 'json' | 'csv' | 'xlsx' | 'html' };

/** The periodic report; agents get their own cases only, personal data masked without pii:read. */
export async function periodicReport(ctx: EngineContext, q: ReportRequest, who: Principal, lang: 'zh-CN' | 'en') {
  const def = await prepare(ctx);
  const f = scoped({ ...q, from: undefined, to: undefined }, who);
  const opts: ReportOptions = { period: q.period ?? 'week', at: q.at, lang, pii: who.permissions.includes('pii:read') };
  const now = ctx.clock.now();
  const period = reportPeriod(opts.period, now, opts.at);
  const filename = `loopdesk-report-${period.label}`;
  if (q.format === 'csv') return { kind: 'csv' as const, filename: `${filename}.csv`, chunks: csvChunks(ctx.db, { ...f, from: period.from, to: period.to }, opts) };
  if (q.format === 'xlsx') return { kind: 'xlsx' as const, filename: `${filename}.xlsx`, body: await reportXlsx(ctx.db, f, def, opts, now) };
  if (q.format === 'html') return { kind: 'html' as const, body: await reportHtml(ctx.db, await reportSummary(ctx.db, f, def, opts, now), f, opts) };
  return { kind: 'json' as const, body: await reportSummary(ctx.db, f, def, opts, now) };
}

export type { ActionBody, ActionPatch };
