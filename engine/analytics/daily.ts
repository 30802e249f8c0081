/**
 * Reading the daily aggregates: the rows of a period (on day bounds) merged per metric into count,
 * sum, min, max, met/breached, a histogram and the slowest cases. Used instead of the case rows
 * when a report without dimension filters spans more cases than `exactCaseLimit`.
 */
import type { Tx } from '../store/db.ts';
import { dayOf } from './facts.ts';
import type { AnalyticsFilter } from './filters.ts';
import { HIST_RELATIVE_ERROR, type Histogram, type Summary, histogramPercentile } from './stats.ts';

export interface MergedMetric {
  processKey: string;
  metric: string;
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
  met: number;
  breached: number;
  hist: Histogram;
  top: [number, string][];
}

function dayRange(f: AnalyticsFilter): { conds: string[]; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (f.processKey !== undefined) {
    conds.push('process_key = ?');
    params.push(f.processKey);
  }
  if (f.version !== undefined) {
    conds.push('version = ?');
    params.push(f.version);
  }
  if (f.from !== undefined) {
    conds.push('day >= ?');
    params.push(dayOf(f.from));
  }
  if (f.to !== undefined) {
    conds.push('day < ?');
    params.push(dayOf(f.to));
  }
  return { conds, params };
}

/** Cases in the period according to the aggregates (cheap; decides between exact and aggregated). */
export async function aggregatedCaseCount(tx: Tx, f: AnalyticsFilter): Promise<number> {
  const { conds, params } = dayRange(f);
  const r = await tx.get<{ n: number | null }>(`SELECT SUM(n) AS n FROM analytics_daily WHERE ${[...conds, "metric = 'case'"].join(' AND ')}`, params);
  return Number(r?.n ?? 0);
}

/** Merges the aggregates whose metric starts with `prefix` per (process key, metric). */
export async function mergedMetrics(tx: Tx, f: AnalyticsFilter, prefix: string, topN: number): Promise<MergedMetric[]> {
  const { conds, params } = dayRange(f);
  const rows = await tx.all<{
    process_key: string;
    metric: string;
    n: number;
    sum_ms: number;
    min_ms: number | null;
    max_ms: number | null;
    met: number;
    breached: number;
    hist: string;
    top: string;
  }>(`SELECT process_key, metric, n, sum_ms, min_ms, max_ms, met, breached, hist, top FROM analytics_daily WHERE ${[...conds, 'metric LIKE ?'].join(' AND ')}`, [
    ...params,
    `${prefix}%`,
  ]);
  const out = new Map<string, MergedMetric>();
  for (const r of rows) {
    const k = `${r.process_key}\u0000${r.metric}`;
    let m = out.get(k);
    if (!m) {
      m = { processKey: r.process_key, metric: r.metric, n: 0, sum: 0, min: null, max: null, met: 0, breached: 0, hist: new Map(), top: [] };
      out.set(k, m);
    }
    m.n += Number(r.n);
    m.sum += Number(r.sum_ms);
    m.met += Number(r.met);
    m.breached += Number(r.breached);
    if (r.min_ms !== null) m.min = m.min === null ? Number(r.min_ms) : Math.min(m.min, Number(r.min_ms));
    if (r.max_ms !== null) m.max = m.max === null ? Number(r.max_ms) : Math.max(m.max, Number(r.max_ms));
    for (const [b, c] of Object.entries(JSON.parse(r.hist) as Record<string, number>)) m.hist.set(Number(b), (m.hist.get(Number(b)) ?? 0) + c);
    m.top.push(...(JSON.parse(r.top) as [number, string][]));
  }
  for (const m of out.values()) {
    m.top.sort((a, b) => b[0] - a[0]);
    m.top.length = Math.min(m.top.length, topN);
  }
  return [...out.values()];
}

/** Summary of a merged metric; median and p90 are approximate within HIST_RELATIVE_ERROR. */
export function mergedSummary(m: MergedMetric | undefined): Summary {
  if (!m || m.n === 0 || m.min === null || m.max === null) return { count: 0, mean: null, min: null, median: null, p90: null, max: null };
  return {
    count: m.n,
    mean: m.sum / m.n,
    min: m.min,
    median: histogramPercentile(m.hist, 0.5, m.min, m.max),
    p90: histogramPercentile(m.hist, 0.9, m.min, m.max),
    max: m.max,
  };
}

export const AGGREGATE_PRECISION = { source: 'daily-aggregates' as const, relativeError: HIST_RELATIVE_ERROR };
export const EXACT_PRECISION = { source: 'exact' as const };
