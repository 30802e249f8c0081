/**
 * Targets and benchmarks beside the actuals (R25, R29): every target of the analytics definition
 * is measured on the period's cases (with the target's own filters, e.g. complaints only) and
 * reported with achieved true/false — false when the actual is on the wrong side of the target for
 * the metric's direction, null when there is nothing to measure.
 */
import type { AnalyticsDefinition, MetricKey } from '../../schemas/analytics.ts';
import type { Tx } from '../store/db.ts';
import { type AnalyticsFilter, METRIC_COLUMNS, caseRows } from './filters.ts';
import { METRICS } from './metrics.ts';
import type { AnalyticsSettings } from './settings.ts';
import { targetOf, targetValueOf } from './settings.ts';

export type AnalyticsDefinitionWithSettings = AnalyticsDefinition & { settings: AnalyticsSettings };

/** The target of the first unfiltered entry for a metric, or null. */
export function plainTarget(def: AnalyticsDefinitionWithSettings, metric: MetricKey): number | null {
  const t = def.targets.find((x) => x.metric === metric && (!x.filters || Object.keys(x.filters).length === 0));
  return t ? targetOf(t) : null;
}

export const meets = (value: number | null, target: number | null, better: 'lower' | 'higher'): boolean | null =>
  value === null || target === null ? null : better === 'lower' ? value <= target : value >= target;

export async function targetsReport(tx: Tx, f: AnalyticsFilter, def: AnalyticsDefinitionWithSettings) {
  const items = [];
  const cache = new Map<string, Awaited<ReturnType<typeof caseRows>>>();
  for (const t of def.targets) {
    const filters = { ...f, ...(t.filters ?? {}) } as AnalyticsFilter;
    const key = JSON.stringify(filters);
    let rows = cache.get(key);
    if (!rows) {
      rows = await caseRows(tx, filters, [], [], METRIC_COLUMNS);
      cache.set(key, rows);
    }
    const metric = METRICS[t.metric];
    const { value, n } = metric.compute(rows, { lowScoreBelow: def.settings.lowScoreBelow });
    const target = targetOf(t);
    const benchmark = t.benchmark ? targetValueOf(t.benchmark.value) : null;
    items.push({
      key: t.key,
      label: t.label,
      metric: t.metric,
      filters: t.filters ?? {},
      unit: metric.unit,
      better: metric.better,
      actual: value,
      n,
      target,
      baseline: targetValueOf(t.baseline),
      achieved: meets(value, target, metric.better),
      ...(t.benchmark ? { benchmark: { value: benchmark, label: t.benchmark.label, beaten: meets(value, benchmark, metric.better) } } : {}),
    });
  }
  return { from: f.from ?? null, to: f.to ?? null, settings: def.settings as unknown as Record<string, unknown>, items };
}
