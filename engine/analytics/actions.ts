/**
 * Optimisation actions (R28, PDCA "act"): what was changed, from when, which metric it should move
 * and to what target. The comparison measures the metric in equal windows before and after the
 * effective date with the same statistics as the pilot comparison; evaluating an action whose
 * after-window is complete marks it achieved, or `needs-another-round` when the target was missed
 * (back to analysis).
 */
import type { ActionBody, ActionPatch, MetricKey } from '../../schemas/analytics.ts';
import { LoopdeskError, conflict, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { compareGroups } from './compare.ts';
import { type AnalyticsFilter, METRIC_COLUMNS, caseRows, parseBound } from './filters.ts';
import { METRICS } from './metrics.ts';
import { type AnalyticsSettings, getSettings, targetValueOf } from './settings.ts';
import { meets } from './targets.ts';

export type ActionStatus = 'planned' | 'measuring' | 'achieved' | 'needs-another-round';

export interface OptimisationAction {
  id: string;
  title: string;
  description: string | null;
  processKey: string;
  effectiveAt: number;
  metric: MetricKey;
  target: number;
  filters: Record<string, unknown>;
  windowDays: number;
  status: ActionStatus;
  before: number | null;
  after: number | null;
  evaluatedAt: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  rev: number;
}

const DAY = 86_400_000;

function toAction(r: Record<string, unknown>): OptimisationAction {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    title: r.title as string,
    description: (r.description as string | null) ?? null,
    processKey: r.process_key as string,
    effectiveAt: Number(r.effective_at),
    metric: r.metric as MetricKey,
    target: Number(r.target),
    filters: r.filters ? JSON.parse(r.filters as string) : {},
    windowDays: Number(r.window_days),
    status: r.status as ActionStatus,
    before: n(r.before),
    after: n(r.after),
    evaluatedAt: n(r.evaluated_at),
    createdBy: r.created_by as string,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    rev: Number(r.rev),
  };
}

function targetValue(metric: MetricKey, target: number | string): number {
  if (typeof target === 'string' && METRICS[metric].unit !== 'ms') {
    throw new LoopdeskError('LD_VALIDATION', 422, `${metric} is not a duration; give a number`, [{ path: '/body/target', message: 'not a duration metric' }]);
  }
  const v = targetValueOf(target);
  if (v === null || Number.isNaN(v)) throw new LoopdeskError('LD_VALIDATION', 422, `${target} is not a valid target`, [{ path: '/body/target', message: 'invalid' }]);
  return v;
}

const statusAt = (effectiveAt: number, now: number): ActionStatus => (effectiveAt > now ? 'planned' : 'measuring');

async function load(tx: Tx, id: string): Promise<OptimisationAction> {
  const r = await tx.get<Record<string, unknown>>('SELECT * FROM optimisation_actions WHERE id = ?', [id]);
  if (!r) throw notFound('optimisation action', id);
  return toAction(r);
}

export async function createAction(ctx: EngineContext, body: ActionBody, actor: Principal, requestId?: string): Promise<OptimisationAction> {
  const effectiveAt = parseBound(body.effectiveAt, false, '/body/effectiveAt')!;
  const target = targetValue(body.metric, body.target);
  return command(ctx, async (tx, now) => {
    const settings = await getSettings(tx);
    const a: OptimisationAction = {
      id: newId(),
      title: body.title.trim(),
      description: body.description ?? null,
      processKey: body.processKey,
      effectiveAt,
      metric: body.metric,
      target,
      filters: body.filters ?? {},
      windowDays: body.windowDays ?? settings.actionWindowDays,
      status: statusAt(effectiveAt, now),
      before: null,
      after: null,
      evaluatedAt: null,
      createdBy: actor.username,
      createdAt: now,
      updatedAt: now,
      rev: 1,
    };
    await tx.run(
      `INSERT INTO optimisation_actions (id, title, description, process_key, effective_at, metric, target, filters, window_days, status, created_by, created_at, updated_at, rev)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      [a.id, a.title, a.description, a.processKey, a.effectiveAt, a.metric, a.target, JSON.stringify(a.filters), a.windowDays, a.status, a.createdBy, now, now],
    );
    await audit(tx, now, { actor: actor.username, action: 'optimisation-action.create', entityType: 'optimisation-action', entityId: a.id, after: a, requestId });
    return a;
  });
}

export async function listActions(ctx: EngineContext, processKey?: string): Promise<OptimisationAction[]> {
  const rows = processKey
    ? await ctx.db.all<Record<string, unknown>>('SELECT * FROM optimisation_actions WHERE process_key = ? ORDER BY effective_at DESC, id', [processKey])
    : await ctx.db.all<Record<string, unknown>>('SELECT * FROM optimisation_actions ORDER BY effective_at DESC, id');
  return rows.map(toAction);
}

export const getAction = (ctx: EngineContext, id: string) => load(ctx.db, id);

export async function updateAction(ctx: EngineContext, id: string, patch: ActionPatch, actor: Principal, requestId?: string): Promise<OptimisationAction> {
  return command(ctx, async (tx, now) => {
    const before = await load(tx, id);
    if (patch.rev !== undefined && patch.rev !== before.rev) throw conflict('LD_REVISION_CONFLICT', `action ${id} changed since revision ${patch.rev} (now ${before.rev})`);
    const metric = patch.metric ?? before.metric;
    const after: OptimisationAction = {
      ...before,
      title: patch.title?.trim() ?? before.title,
      description: patch.description === undefined ? before.description : patch.description,
      processKey: patch.processKey ?? before.processKey,
      effectiveAt: patch.effectiveAt === undefined ? before.effectiveAt : parseBound(patch.effectiveAt, false, '/body/effectiveAt')!,
      metric,
      target: patch.target === undefined ? before.target : targetValue(metric, patch.target),
      filters: patch.filters ?? before.filters,
      windowDays: patch.windowDays ?? before.windowDays,
      updatedAt: now,
      rev: before.rev + 1,
    };
    // What is measured changed: the last evaluation no longer holds.
    after.status = statusAt(after.effectiveAt, now);
    after.before = null;
    after.after = null;
    after.evaluatedAt = null;
    const changed = await tx.run(
      `UPDATE optimisation_actions SET title = ?, description = ?, process_key = ?, effective_at = ?, metric = ?, target = ?, filters = ?, window_days = ?, status = ?, before = NULL, after = NULL, evaluated_at = NULL, updated_at = ?, rev = ?
       WHERE id = ? AND rev = ?`,
      [after.title, after.description, after.processKey, after.effectiveAt, after.metric, after.target, JSON.stringify(after.filters), after.windowDays, after.status, now, after.rev, id, before.rev],
    );
    if (changed !== 1) throw conflict('LD_REVISION_CONFLICT', `action ${id} changed concurrently`);
    await audit(tx, now, { actor: actor.username, action: 'optimisation-action.update', entityType: 'optimisation-action', entityId: id, before, after, requestId });
    return after;
  });
}

export async function deleteAction(ctx: EngineContext, id: string, actor: Principal, requestId?: string): Promise<void> {
  await command(ctx, async (tx, now) => {
    const before = await load(tx, id);
    await tx.run('DELETE FROM optimisation_actions WHERE id = ?', [id]);
    await audit(tx, now, { actor: actor.username, action: 'optimisation-action.delete', entityType: 'optimisation-action', entityId: id, before, requestId });
  });
}

/** Before/after windows of `windowDays` around the effective date (the after-window ends now at the latest). */
export async function actionComparison(tx: Tx, action: OptimisationAction, settings: AnalyticsSettings, now: number) {
  const w = action.windowDays * DAY;
  const before = { from: action.effectiveAt - w, to: action.effectiveAt };
  const after = { from: action.effectiveAt, to: Math.max(action.effectiveAt, Math.min(now, action.effectiveAt + w)) };
  const base: AnalyticsFilter = { processKey: action.processKey, ...(action.filters as AnalyticsFilter) };
  const beforeRows = await caseRows(tx, { ...base, ...before }, [], [], METRIC_COLUMNS);
  const afterRows = after.to > after.from ? await caseRows(tx, { ...base, ...after }, [], [], METRIC_COLUMNS) : [];
  const metric = METRICS[action.metric];
  const opts = { lowScoreBelow: settings.lowScoreBelow };
  const b = metric.compute(beforeRows, opts);
  const a = metric.compute(afterRows, opts);
  const windowComplete = now >= action.effectiveAt + w;
  const targetMet = meets(a.value, action.target, metric.better);
  let status: ActionStatus = statusAt(action.effectiveAt, now);
  if (windowComplete && targetMet !== null) status = targetMet ? 'achieved' : 'needs-another-round';
  return {
    before: { ...before, value: b.value, n: b.n },
    after: { ...after, value: a.value, n: a.n },
    targetMet,
    windowComplete,
    status,
    comparison: compareGroups(afterRows, beforeRows, settings, {
      pilot: { label: 'after', from: after.from, to: after.to },
      baseline: { label: 'before', from: before.from, to: before.to },
    }),
  };
}

/** Measures the action and stores the outcome on it (status, before, after), audited. */
export async function evaluateAction(ctx: EngineContext, id: string, actor: Principal, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const action = await load(tx, id);
    const result = await actionComparison(tx, action, await getSettings(tx), now);
    const updated: OptimisationAction = { ...action, status: result.status, before: result.before.value, after: result.after.value, evaluatedAt: now };
    await tx.run('UPDATE optimisation_actions SET status = ?, before = ?, after = ?, evaluated_at = ? WHERE id = ?', [updated.status, updated.before, updated.after, now, id]);
    if (updated.status !== action.status) {
      await audit(tx, now, {
        actor: actor.username,
        action: 'optimisation-action.evaluate',
        entityType: 'optimisation-action',
        entityId: id,
        before: { status: action.status },
        after: { status: updated.status, before: updated.before, after: updated.after, target: action.target },
        requestId,
      });
    }
    return { action: updated, ...result };
  });
}
