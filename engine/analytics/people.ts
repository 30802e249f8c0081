/**
 * Staff and department comparison (R24, R41): per person (the case owner) or department — cases,
 * final resolution rate, first-contact resolution rate, resolution time, mean score, low scores —
 * ranked (resolution rate, then score, then cases), and the coaching flag for people with at least
 * `coachingLowScores` low scores (below `lowScoreBelow`) in one month.
 */
import type { Tx } from '../store/db.ts';
import { type AnalyticsFilter, type CaseRow, caseRows } from './filters.ts';
import { monthOf, monthRange } from './periods.ts';
import type { AnalyticsSettings } from './settings.ts';
import { rate, summarize } from './stats.ts';

export async function people(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, groupBy: 'person' | 'department', month?: string) {
  const filter = month ? { ...f, ...monthRange(month) } : f;
  const rows = await caseRows(tx, filter);
  const keyOf = (r: CaseRow) => (groupBy === 'person' ? r.owner : r.department);
  const groups = new Map<string | null, CaseRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  // Low scores per person and month of intake (R41 coaching).
  const coaching: { person: string; month: string; lowScores: number; cases: string[] }[] = [];
  const lowByPersonMonth = new Map<string, CaseRow[]>();
  for (const r of rows) {
    if (r.owner === null || r.satisfaction === null || r.satisfaction >= settings.lowScoreBelow) continue;
    const k = `${r.owner}\u0000${monthOf(r.started_at)}`;
    lowByPersonMonth.set(k, [...(lowByPersonMonth.get(k) ?? []), r]);
  }
  for (const [k, list] of lowByPersonMonth) {
    if (list.length < settings.coachingLowScores) continue;
    const [person, m] = k.split('\u0000');
    coaching.push({ person, month: m, lowScores: list.length, cases: list.map((r) => r.case_number ?? r.instance_id) });
  }
  coaching.sort((a, b) => b.lowScores - a.lowScores || a.person.localeCompare(b.person) || a.month.localeCompare(b.month));
  const flagged = new Set(coaching.map((c) => (groupBy === 'person' ? c.person : null)));

  const out = [...groups.entries()].map(([key, list]) => {
    const closed = list.filter((r) => r.state === 'completed' && r.resolved !== null);
    const handled = list.filter((r) => r.resolved !== null);
    const scores = list.flatMap((r) => (r.satisfaction === null ? [] : [r.satisfaction]));
    return {
      key,
      rank: null as number | null,
      cases: list.length,
      resolved: closed.filter((r) => r.resolved === 1).length,
      resolutionRate: rate(closed.filter((r) => r.resolved === 1).length, closed.length),
      fcrRate: rate(handled.filter((r) => r.fcr === 1).length, handled.length),
      resolutionMs: summarize(list.flatMap((r) => (r.resolution_ms === null ? [] : [r.resolution_ms]))),
      satisfaction: scores.length ? scores.reduce((s, x) => s + x, 0) / scores.length : null,
      scored: scores.length,
      lowScores: scores.filter((s) => s < settings.lowScoreBelow).length,
      coaching: key !== null && flagged.has(key),
    };
  });
  const cmp = (a: number | null, b: number | null) => (b ?? -1) - (a ?? -1);
  out.sort((a, b) => cmp(a.resolutionRate, b.resolutionRate) || cmp(a.satisfaction, b.satisfaction) || b.cases - a.cases || String(a.key).localeCompare(String(b.key)));
  let rank = 0;
  out.forEach((row, i) => {
    if (row.key === null) return;
    const prev = out[i - 1];
    const tie = prev && prev.key !== null && prev.resolutionRate === row.resolutionRate && prev.satisfaction === row.satisfaction && prev.cases === row.cases;
    rank = tie ? rank : i + 1;
    row.rank = rank;
  });
  return { groupBy, month: month ?? null, rows: out, coaching: groupBy === 'person' ? coaching : [] };
}
