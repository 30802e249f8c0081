/**
 * The statistics behind the analytics reports, on numbers worked out by hand or from textbook
 * examples (p-values also checked with scipy.stats.mannwhitneyu, method='asymptotic').
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapMedian,
  bootstrapMedianDifference,
  bucketOf,
  bucketValue,
  histogramPercentile,
  mannWhitneyU,
  nps,
  percentileSorted,
  seededRandom,
  summarize,
  twoProportionTest,
} from '../../../engine/analytics/stats.ts';

describe('analytics statistics', () => {
  it('R24: percentiles interpolate between closest ranks (type 7, as Excel PERCENTILE.INC)', () => {
    // 1, 2, 3, 4, 10: median 3; p90 at rank 0.9·4 = 3.6 → 4 + 0.6·(10 − 4) = 7.6
    const s = summarize([10, 2, 4, 1, 3]);
    expect(s).toMatchObject({ count: 5, mean: 4, min: 1, median: 3, max: 10 });
    expect(s.p90).toBeCloseTo(7.6, 12);
    // Even count: the median is the mean of the middle two.
    expect(percentileSorted([1, 2, 3, 5], 0.5)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 5], 0.9)).toBeCloseTo(4.4, 12);
    expect(summarize([])).toEqual({ count: 0, mean: null, min: null, median: null, p90: null, max: null });
    expect(summarize([7])).toMatchObject({ median: 7, p90: 7 });
  });

  it('R34: Mann-Whitney U — textbook example without ties (U = 17, p = 0.111)', () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12])!;
    expect(r.u1).toBe(17);
    expect(r.u2).toBe(3);
    expect(r.pValue.toFixed(3)).toBe('0.111');
  });

  it('R34: Mann-Whitney U — lengths of stay with ties, tie-corrected variance (U = 7, p = 0.001)', () => {
    const shorter = [3, 4, 2, 6, 2, 5, 4, 3, 5, 7];
    const longer = [9, 7, 5, 10, 6, 8, 7, 8, 9, 6];
    const r = mannWhitneyU(shorter, longer)!;
    expect(r.u1).toBe(7);
    expect(r.pValue).toBeCloseTo(0.0012231362665459532, 6);
    expect(r.pValue.toFixed(3)).toBe('0.001');
    expect(r.z).toBeLessThan(0); // the first sample is the smaller one
    expect(mannWhitneyU(shorter, longer, false)!.pValue).toBeCloseTo(0.001069900913589821, 6);
    // All values equal: no evidence either way.
    expect(mannWhitneyU([5, 5, 5], [5, 5])!.pValue).toBe(1);
    expect(mannWhitneyU([], [1])).toBeNull();
  });

  it('R34: the bootstrap interval is reproducible with its seed and changes with another seed', () => {
    const random = seededRandom(7);
    const x = Array.from({ length: 40 }, () => Math.round(random() * 1000));
    const y = Array.from({ length: 35 }, () => Math.round(random() * 800));
    const a = bootstrapMedianDifference(x, y, { seed: 42, resamples: 1000 })!;
    const b = bootstrapMedianDifference(x, y, { seed: 42, resamples: 1000 })!;
    const c = bootstrapMedianDifference(x, y, { seed: 43, resamples: 1000 })!;
    expect(a).toEqual(b);
    expect([c.lower, c.upper]).not.toEqual([a.lower, a.upper]);
    expect(a.lower).toBeLessThanOrEqual(a.estimate);
    expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
    expect(a).toMatchObject({ level: 0.95, resamples: 1000, seed: 42 });
  });

  it('R34: bootstrap medians follow the distribution of resample-and-sort medians', () => {
    const sorted = [1, 2, 2, 3, 5, 8, 13, 21];
    const g1 = seededRandom(1);
    const g2 = seededRandom(2);
    const B = 20_000;
    const fast: number[] = [];
    const naive: number[] = [];
    for (let i = 0; i < B; i++) {
      fast.push(bootstrapMedian(sorted, g1));
      const s = sorted.map(() => sorted[Math.floor(g2() * sorted.length)]).sort((p, q) => p - q);
      naive.push(percentileSorted(s, 0.5)!);
    }
    const freq = (xs: number[], v: number) => xs.filter((x) => x <= v).length / B;
    for (const v of [2, 2.5, 3, 4, 6.5, 10]) expect(Math.abs(freq(fast, v) - freq(naive, v))).toBeLessThan(0.02);
  });

  it('R19: NPS edge cases — all promoters, all detractors, no answers, the boundaries 6/7 and 8/9', () => {
    expect(nps([9, 10, 10])).toEqual({ responses: 3, promoters: 3, passives: 0, detractors: 0, nps: 100 });
    expect(nps([0, 3, 6])).toEqual({ responses: 3, promoters: 0, passives: 0, detractors: 3, nps: -100 });
    expect(nps([])).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null });
    expect(nps([6, 7, 8, 9])).toEqual({ responses: 4, promoters: 1, passives: 2, detractors: 1, nps: 0 });
  });

  it('R24: histogram percentiles stay within ±1% of the value', () => {
    for (const v of [1, 999, 60_000, 3_600_000, 7.2e7, 2.5e9]) expect(Math.abs(bucketValue(bucketOf(v)) - v) / v).toBeLessThan(0.0101);
    expect(bucketValue(bucketOf(0))).toBe(0);
    const hist = new Map<number, number>();
    const values = [1, 2, 3, 4, 10].map((h) => h * 3_600_000);
    for (const v of values) hist.set(bucketOf(v), (hist.get(bucketOf(v)) ?? 0) + 1);
    expect(histogramPercentile(hist, 0.5, values[0], values[4])! / (3 * 3_600_000)).toBeCloseTo(1, 1);
  });

  it('R22: two-proportion test of rates', () => {
    const t = twoProportionTest(80, 100, 60, 100)!;
    expect(t.difference).toBeCloseTo(0.2, 12);
    expect(t.pValue.toFixed(4)).toBe('0.0020'); // z = 0.2 / √(0.7·0.3·(2/100)) = 3.086
    expect(twoProportionTest(0, 0, 1, 2)).toBeNull();
  });
});
