/**
 * Two groups of cases side by side — pilot vs baseline (R34), after vs before an optimisation
 * (R28): every catalogue metric for both with the difference; for durations (first response,
 * resolution, cycle time) a Mann-Whitney U test and a seeded 95% bootstrap interval for the
 * difference of medians; for rates a two-proportion z test. Below `minGroupSize` cases in either
 * group the verdict is "not-enough-data", whatever the numbers say.
 */
import type { MetricKey } from '../../schemas/analytics.ts';
import type { CaseRow } from './filters.ts';
import { METRICS, cycleValues, resolutionValues, responseValues } from './metrics.ts';
import type { AnalyticsSettings } from './settings.ts';
import { bootstrapMedianDifference, mannWhitneyU, summarize, twoProportionTest } from './stats.ts';

type Verdict = 'not-enough-data' | 'no-significant-difference' | 'better' | 'worse';

const DURATIONS: [string, (rows: CaseRow[]) => number[]][] = [
  ['responseMs', responseValues],
  ['resolutionMs', resolutionValues],
  ['cycleMs', cycleValues],
];

/** Rate and score metrics compared beside the durations (durations have their own section). */
const COMPARED: MetricKey[] = ['cases', 'slaAttainment.response', 'slaAttainment.resolution', 'fcrRate', 'finalResolutionRate', 'reopenRate', 'lowScoreRate', 'complaintRate', 'satisfaction.mean', 'nps'];

/** Durations: lower is better. `a` is the group under test (pilot, after). */
export function compareDurations(a: number[], b: number[], settings: AnalyticsSettings) {
  const mw = mannWhitneyU(a, b);
  const ci = bootstrapMedianDifference(a, b, { resamples: settings.bootstrapResamples, seed: settings.bootstrapSeed });
  let verdict: Verdict = 'no-significant-difference';
  if (a.length < settings.minGroupSize || b.length < settings.minGroupSize) verdict = 'not-enough-data';
  else if (mw && mw.pValue < settings.significance) verdict = mw.z < 0 ? 'better' : 'worse';
  return {
    pilot: summarize(a),
    baseline: summarize(b),
    medianDifference: ci?.estimate ?? null,
    ci: ci ? { lower: ci.lower, upper: ci.upper, level: ci.level, resamples: ci.resamples, seed: ci.seed } : null,
    mannWhitney: mw ? { u: mw.u1, z: mw.z, pValue: mw.pValue } : null,
    verdict,
  };
}

export function compareGroups(
  a: CaseRow[],
  b: CaseRow[],
  settings: AnalyticsSettings,
  groups: { pilot: { label: string; from: number | null; to: number | null }; baseline: { label: string; from: number | null; to: number | null } },
) {
  const opts = { lowScoreBelow: settings.lowScoreBelow };
  const durations = DURATIONS.map(([metric, values]) => ({ metric, ...compareDurations(values(a), values(b), settings) }));
  const metrics = COMPARED.map((metric) => {
    const def = METRICS[metric];
    const pa = def.compute(a, opts);
    const pb = def.compute(b, opts);
    let pValue: number | null = null;
    let verdict: Verdict | 'not-tested' = 'not-tested';
    if (def.unit === 'rate') {
      const t = pa.value === null || pb.value === null ? null : twoProportionTest(Math.round(pa.value * pa.n), pa.n, Math.round(pb.value * pb.n), pb.n);
      pValue = t?.pValue ?? null;
      verdict = significance(t ? t.difference : 0, pValue, pa.n, pb.n, def.better, settings);
    } else if (metric === 'satisfaction.mean') {
      const sa = a.flatMap((r) => (r.satisfaction === null ? [] : [r.satisfaction]));
      const sb = b.flatMap((r) => (r.satisfaction === null ? [] : [r.satisfaction]));
      const mw = mannWhitneyU(sa, sb);
      pValue = mw?.pValue ?? null;
      verdict = significance(mw ? mw.z : 0, pValue, sa.length, sb.length, 'higher', settings);
    }
    return {
      metric,
      pilot: { metric, ...pa },
      baseline: { metric, ...pb },
      difference: pa.value === null || pb.value === null ? null : pa.value - pb.value,
      pValue,
      verdict,
    };
  });
  return {
    groups: { pilot: { ...groups.pilot, cases: a.length }, baseline: { ...groups.baseline, cases: b.length } },
    minGroupSize: settings.minGroupSize,
    durations,
    metrics,
  };
}

/** `direction` > 0 means group a is higher. */
function significance(direction: number, pValue: number | null, na: number, nb: number, better: 'lower' | 'higher', settings: AnalyticsSettings): Verdict {
  if (na < settings.minGroupSize || nb < settings.minGroupSize) return 'not-enough-data';
  if (pValue === null || pValue >= settings.significance || direction === 0) return 'no-significant-difference';
  return (direction > 0) === (better === 'higher') ? 'better' : 'worse';
}
