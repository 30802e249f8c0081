/**
 * The catalogue of case-level metrics that targets (R25, R29), optimisation actions (R28) and the
 * pilot comparison name: how each is computed from case facts, its unit and which direction is
 * better.
 */
import type { MetricKey } from '../../schemas/analytics.ts';
import type { CaseRow } from './filters.ts';
import { summarize } from './stats.ts';

export interface MetricDef {
  unit: 'count' | 'ms' | 'rate' | 'score' | 'points';
  better: 'lower' | 'higher';
  /** The value and the number of cases it was computed from. */
  compute(rows: CaseRow[], options: { lowScoreBelow: number }): { value: number | null; n: number };
  /** Per-case values for duration metrics (tested with Mann-Whitney and the bootstrap). */
  values?: (rows: CaseRow[]) => number[];
}

export const responseValues = (rows: CaseRow[]) => rows.flatMap((r) => (r.response_ms === null ? [] : [r.response_ms]));
export const resolutionValues = (rows: CaseRow[]) => rows.flatMap((r) => (r.resolution_ms === null ? [] : [r.resolution_ms]));
export const cycleValues = (rows: CaseRow[]) => rows.flatMap((r) => (r.ended_at === null || r.state !== 'completed' ? [] : [r.ended_at - r.started_at]));

function duration(values: (rows: CaseRow[]) => number[], stat: 'mean' | 'median' | 'p90'): MetricDef {
  return {
    unit: 'ms',
    better: 'lower',
    values,
    compute: (rows) => {
      const s = summarize(values(rows));
      return { value: s[stat], n: s.count };
    },
  };
}

function ratio(isCounted: (r: CaseRow) => boolean, isHit: (r: CaseRow) => boolean, better: 'lower' | 'higher'): MetricDef {
  return {
    unit: 'rate',
    better,
    compute: (rows) => {
      const of = rows.filter(isCounted);
      return { value: of.length ? of.filter(isHit).length / of.length : null, n: of.length };
    },
  };
}

const attainment = (state: 'response_state' | 'resolution_state') =>
  ratio(
    (r) => r[state] === 'met' || r[state] === 'breached' || r[state] === 'overdue',
    (r) => r[state] === 'met',
    'higher',
  );

export const handled = (r: CaseRow) => r.resolved !== null;
export const closed = (r: CaseRow) => r.state === 'completed' && r.resolved !== null;

export const METRICS: Record<MetricKey, MetricDef> = {
  cases: { unit: 'count', better: 'higher', compute: (rows) => ({ value: rows.length, n: rows.length }) },
  'responseMs.mean': duration(responseValues, 'mean'),
  'responseMs.median': duration(responseValues, 'median'),
  'responseMs.p90': duration(responseValues, 'p90'),
  'resolutionMs.mean': duration(resolutionValues, 'mean'),
  'resolutionMs.median': duration(resolutionValues, 'median'),
  'resolutionMs.p90': duration(resolutionValues, 'p90'),
  'cycleMs.mean': duration(cycleValues, 'mean'),
  'cycleMs.median': duration(cycleValues, 'median'),
  'slaAttainment.response': attainment('response_state'),
  'slaAttainment.resolution': attainment('resolution_state'),
  fcrRate: ratio(handled, (r) => r.fcr === 1, 'higher'),
  finalResolutionRate: ratio(closed, (r) => r.resolved === 1, 'higher'),
  reopenRate: ratio(handled, (r) => r.reopen_count > 0, 'lower'),
  'satisfaction.mean': {
    unit: 'score',
    better: 'higher',
    compute: (rows) => {
      const s = rows.flatMap((r) => (r.satisfaction === null ? [] : [r.satisfaction]));
      return { value: s.length ? s.reduce((a, b) => a + b, 0) / s.length : null, n: s.length };
    },
  },
  nps: {
    unit: 'points',
    better: 'higher',
    compute: (rows) => {
      const s = rows.flatMap((r) => (r.nps === null ? [] : [r.nps]));
      if (s.length === 0) return { value: null, n: 0 };
      const promoters = s.filter((v) => v >= 9).length;
      const detractors = s.filter((v) => v <= 6).length;
      return { value: ((promoters - detractors) / s.length) * 100, n: s.length };
    },
  },
  lowScoreRate: {
    unit: 'rate',
    better: 'lower',
    compute: (rows, { lowScoreBelow }) => {
      const s = rows.filter((r) => r.satisfaction !== null);
      return { value: s.length ? s.filter((r) => r.satisfaction! < lowScoreBelow).length / s.length : null, n: s.length };
    },
  },
  complaintRate: ratio(
    () => true,
    (r) => r.type === 'complaint',
    'lower',
  ),
};

/** The count behind a rate metric (for the two-proportion test). */
export function rateCounts(metric: MetricKey, rows: CaseRow[], lowScoreBelow: number): { k: number; n: number } | null {
  const def = METRICS[metric];
  if (def.unit !== 'rate') return null;
  const { value, n } = def.compute(rows, { lowScoreBelow });
  return { k: Math.round((value ?? 0) * n), n };
}
