/**
 * Satisfaction (R19, R24): mean callback score (1–5) and its distribution, NPS (% promoters 9–10
 * minus % detractors 0–6, in points), the trend by week or month of intake, and the low-score cases
 * (below the definition's lowScoreBelow, 3 by default).
 */
import type { Tx } from '../store/db.ts';
import { type AnalyticsFilter, whereOf } from './filters.ts';
import { bucketLabel, bucketStart } from './periods.ts';
import type { AnalyticsSettings } from './settings.ts';
import { nps } from './stats.ts';

export async function satisfaction(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, interval: 'week' | 'month') {
  const w = await whereOf(tx, f, ['(c.satisfaction IS NOT NULL OR c.nps IS NOT NULL)']);
  const rows = await tx.all<{ started_at: number; satisfaction: number | null; nps: number | null }>(
    `SELECT c.started_at, c.satisfaction, c.nps FROM case_facts c WHERE ${w.sql}`,
    w.params,
  );
  const scores = rows.flatMap((r) => (r.satisfaction === null ? [] : [Number(r.satisfaction)]));
  const npsScores = rows.flatMap((r) => (r.nps === null ? [] : [Number(r.nps)]));
  const distribution = [1, 2, 3, 4, 5].map((score) => ({ score, count: scores.filter((s) => s === score).length }));
  const buckets = new Map<string, { scores: number[]; nps: number[] }>();
  for (const r of rows) {
    const label = bucketLabel(Number(r.started_at), interval);
    const b = buckets.get(label) ?? { scores: [], nps: [] };
    if (r.satisfaction !== null) b.scores.push(Number(r.satisfaction));
    if (r.nps !== null) b.nps.push(Number(r.nps));
    buckets.set(label, b);
  }
  const trend = [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, b]) => ({
      period,
      from: bucketStart(period, interval),
      responses: b.scores.length,
      mean: b.scores.length ? b.scores.reduce((s, x) => s + x, 0) / b.scores.length : null,
      nps: nps(b.nps).nps,
    }));
  const low = await whereOf(tx, f, ['c.satisfaction < ?'], [settings.lowScoreBelow]);
  const lowRows = await tx.all<{
    instance_id: string;
    case_number: string | null;
    description: string | null;
    owner: string | null;
    department: string | null;
    type: string | null;
    started_at: number;
    satisfaction: number;
  }>(
    `SELECT c.instance_id, c.case_number, c.description, c.owner, c.department, c.type, c.started_at, c.satisfaction FROM case_facts c WHERE ${low.sql} ORDER BY c.satisfaction, c.started_at DESC LIMIT 500`,
    low.params,
  );
  return {
    responses: scores.length,
    mean: scores.length ? scores.reduce((s, x) => s + x, 0) / scores.length : null,
    distribution,
    nps: nps(npsScores),
    trend,
    lowScores: lowRows.map((r) => ({
      instanceId: r.instance_id,
      caseNumber: r.case_number,
      description: r.description,
      owner: r.owner,
      department: r.department,
      type: r.type,
      startedAt: Number(r.started_at),
      score: Number(r.satisfaction),
    })),
  };
}
