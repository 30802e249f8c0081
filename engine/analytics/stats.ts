/**
 * The statistics the analytics reports use, as pure functions over numbers: percentiles, summaries,
 * a seeded random generator, the Mann-Whitney U test (normal approximation with tie and continuity
 * correction), a percentile-bootstrap confidence interval for a difference of medians, a
 * two-proportion z test, and log-bucket histograms for pre-aggregated (approximate) percentiles.
 */

/**
 * Percentile of sorted values by linear interpolation between closest ranks (Hyndman & Fan type 7:
 * Excel PERCENTILE.INC, numpy's default, PostgreSQL percentile_cont). `p` in [0, 1].
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Summary {
  count: number;
  mean: number | null;
  min: number | null;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export const emptySummary = (): Summary => ({ count: 0, mean: null, min: null, median: null, p90: null, max: null });

/** count, mean, min, median, p90, max of the values (any order; not modified). */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return emptySummary();
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return { count: n, mean: sum / n, min: sorted[0], median: percentileSorted(sorted, 0.5), p90: percentileSorted(sorted, 0.9), max: sorted[n - 1] };
}

/** mulberry32: a small, fast, seedable generator; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A 32-bit seed from text (FNV-1a), e.g. the ISO week `2024-W19`. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Standard normal cumulative distribution (Abramowitz & Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface MannWhitney {
  n1: number;
  n2: number;
  /** U of the first sample (the number of pairs where x > y, ties counting one half). */
  u1: number;
  u2: number;
  z: number;
  /** Two-sided p-value of the normal approximation. */
  pValue: number;
}

/**
 * Mann-Whitney U test, two-sided, normal approximation with the tie-corrected variance
 * σ² = n1·n2/12 · ((n+1) − Σ(t³−t)/(n(n−1))) and a continuity correction of ½ (as
 * scipy.stats.mannwhitneyu(method='asymptotic', use_continuity=True)). Null when a sample is empty.
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, continuity = true): MannWhitney | null {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return null;
  const n = n1 + n2;
  const all: { v: number; g: 0 | 1 }[] = [];
  for (let i = 0; i < n1; i++) all.push({ v: x[i], g: 0 });
  for (let i = 0; i < n2; i++) all.push({ v: y[i], g: 1 });
  all.sort((a, b) => a.v - b.v);
  let r1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const rank = (i + j + 2) / 2; // average of ranks i+1 … j+1
    const t = j - i + 1;
    if (t > 1) tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k].g === 0) r1 += rank;
    i = j + 1;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { n1, n2, u1, u2, z: 0, pValue: 1 };
  const diff = Math.abs(u1 - mean) - (continuity ? 0.5 : 0);
  const z = Math.max(0, diff) / Math.sqrt(variance);
  return { n1, n2, u1, u2, z: u1 >= mean ? z : -z, pValue: Math.min(1, 2 * (1 - normalCdf(z))) };
}

/** Standard normal variate (Box-Muller) from the seeded generator. */
function normal(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape ≥ 1, 1) variate (Marsaglia & Tsang 2000). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The median of one bootstrap resample (n draws with replacement from the sorted values), drawn
 * exactly from its distribution in O(1): the resample's indices are ⌊n·U⌋ of n uniforms, so its
 * k-th smallest index is ⌊n·U₍ₖ₎⌋ with U₍ₖ₎ ~ Beta(k, n+1−k); the (k+1)-th follows from the
 * spacing U₍ₖ₊₁₎ = U₍ₖ₎ + (1 − U₍ₖ₎)·Beta(1, n−k). Same distribution as resampling and sorting, at a
 * cost that does not grow with n.
 */
export function bootstrapMedian(sorted: ArrayLike<number>, random: () => number): number {
  const n = sorted.length;
  if (n === 1) return sorted[0];
  const k = Math.floor((n + 1) / 2); // 1-based rank of the (lower) middle
  const g1 = gamma(k, random);
  const g2 = gamma(n + 1 - k, random);
  const uk = g1 / (g1 + g2);
  const low = sorted[Math.min(n - 1, Math.floor(n * uk))];
  if (n % 2 === 1) return low;
  const next = uk + (1 - uk) * (1 - random() ** (1 / (n - k)));
  return (low + sorted[Math.min(n - 1, Math.floor(n * next))]) / 2;
}

export interface BootstrapCi {
  /** median(x) − median(y) of the samples. */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  resamples: number;
  seed: number;
}

/**
 * Percentile bootstrap confidence interval for median(x) − median(y): `resamples` resamples of each
 * sample (their medians drawn as in bootstrapMedian) from a generator seeded with `seed`, so the
 * same data and seed always give the same interval. Null when a sample is empty.
 */
export function bootstrapMedianDifference(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: { resamples?: number; level?: number; seed?: number } = {},
): BootstrapCi | null {
  if (x.length === 0 || y.length === 0) return null;
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 20240501;
  const sx = Float64Array.from(x).sort();
  const sy = Float64Array.from(y).sort();
  const random = seededRandom(seed);
  const diffs = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) diffs[b] = bootstrapMedian(sx, random) - bootstrapMedian(sy, random);
  diffs.sort();
  const alpha = (1 - level) / 2;
  return {
    estimate: (percentileSorted(sx, 0.5) ?? 0) - (percentileSorted(sy, 0.5) ?? 0),
    lower: percentileSorted(diffs, alpha)!,
    upper: percentileSorted(diffs, 1 - alpha)!,
    level,
    resamples,
    seed,
  };
}

export interface ProportionTest {
  difference: number;
  z: number;
  pValue: number;
}

/** Two-sided z test for p1 − p2 with the pooled standard error. Null when a group is empty. */
export function twoProportionTest(k1: number, n1: number, k2: number, n2: number): ProportionTest | null {
  if (n1 === 0 || n2 === 0) return null;
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { difference: p1 - p2, z: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { difference: p1 - p2, z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

// --- Log-bucket histograms: pre-aggregated durations with a bounded relative error -------------

/** Bucket growth factor: a value is reported as its bucket's geometric middle, within ±1%. */
export const HIST_FACTOR = 1.02;
const LOG_FACTOR = Math.log(HIST_FACTOR);
export const HIST_RELATIVE_ERROR = Math.sqrt(HIST_FACTOR) - 1;

/** Bucket of a duration in ms: -1 for 0 (and anything below 1 ms), else ⌊log(v)/log 1.02⌋. */
export function bucketOf(v: number): number {
  return v < 1 ? -1 : Math.floor(Math.log(v) / LOG_FACTOR);
}

/** The value a bucket stands for: 0, or the geometric middle of [1.02^b, 1.02^(b+1)). */
export function bucketValue(b: number): number {
  return b < 0 ? 0 : Math.exp((b + 0.5) * LOG_FACTOR);
}

export type Histogram = Map<number, number>;

/**
 * Approximate percentile of a histogram with the same type 7 interpolation between the two ranks
 * around (n−1)·p, each rank read as its bucket's value (±1%) and clamped to the exact min and max.
 */
export function histogramPercentile(hist: Histogram, p: number, min: number, max: number): number | null {
  let n = 0;
  for (const c of hist.values()) n += c;
  if (n === 0) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const buckets = [...hist.keys()].sort((a, b) => a - b);
  const valueAtRank = (rank: number) => {
    let seen = 0;
    for (const b of buckets) {
      seen += hist.get(b)!;
      if (seen > rank) return Math.min(max, Math.max(min, bucketValue(b)));
    }
    return max;
  };
  const low = valueAtRank(lo);
  return h === lo ? low : low + (h - lo) * (valueAtRank(Math.min(n - 1, lo + 1)) - low);
}

/** Rate k/n, or null when n is 0. */
export const rate = (k: number, n: number): number | null => (n === 0 ? null : k / n);

/**
 * Net promoter score from 0–10 answers: % promoters (9–10) − % detractors (0–6), in points
 * (−100 … 100); null without answers.
 */
export function nps(scores: ArrayLike<number>): { responses: number; promoters: number; passives: number; detractors: number; nps: number | null } {
  let promoters = 0;
  let detractors = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] >= 9) promoters++;
    else if (scores[i] <= 6) detractors++;
  }
  const n = scores.length;
  return { responses: n, promoters, passives: n - promoters - detractors, detractors, nps: n === 0 ? null : ((promoters - detractors) / n) * 100 };
}
