/**
 * Resolution quality (R22): first-contact resolution — resolved without reopening (reopenCount
 * null/0), without re-dispatch (no reassignment away from a handler) and not marked otherwise on the
 * handling form — over handled cases; final resolution over closed cases with the reasons of the
 * unresolved ones; reopen rate. Targets come from the analytics definition (fcrRate,
 * finalResolutionRate), never from code.
 */
import type { Tx } from '../store/db.ts';
import { type AnalyticsFilter, whereOf } from './filters.ts';
import { type AnalyticsDefinitionWithSettings, plainTarget } from './targets.ts';
import { rate } from './stats.ts';

const withTarget = (count: number, of: number, target: number | null, better: 'higher' | 'lower') => {
  const r = rate(count, of);
  return { count, of, rate: r, target, achieved: r === null || target === null ? null : better === 'higher' ? r >= target : r <= target };
};

export async function quality(tx: Tx, f: AnalyticsFilter, def: AnalyticsDefinitionWithSettings) {
  const w = await whereOf(tx, f);
  const r = await tx.get<Record<string, number | null>>(
    `SELECT COUNT(*) AS n,
       SUM(CASE WHEN c.resolved IS NOT NULL THEN 1 ELSE 0 END) AS handled,
       SUM(CASE WHEN c.fcr = 1 THEN 1 ELSE 0 END) AS fcr,
       SUM(CASE WHEN c.state = 'completed' AND c.resolved IS NOT NULL THEN 1 ELSE 0 END) AS closed,
       SUM(CASE WHEN c.state = 'completed' AND c.resolved = 1 THEN 1 ELSE 0 END) AS final_ok,
       SUM(CASE WHEN c.resolved IS NOT NULL AND c.reopen_count > 0 THEN 1 ELSE 0 END) AS reopened
     FROM case_facts c WHERE ${w.sql}`,
    w.params,
  );
  const n = (k: string) => Number(r?.[k] ?? 0);
  const reasons = await tx.all<{ reason: string | null; n: number }>(
    `SELECT c.unresolved_reason AS reason, COUNT(*) AS n FROM case_facts c WHERE ${w.sql} AND c.state = 'completed' AND c.resolved = 0 GROUP BY c.unresolved_reason`,
    w.params,
  );
  const unresolved = reasons.reduce((s, x) => s + Number(x.n), 0);
  return {
    cases: n('n'),
    firstContactResolution: withTarget(n('fcr'), n('handled'), plainTarget(def, 'fcrRate'), 'higher'),
    finalResolution: withTarget(n('final_ok'), n('closed'), plainTarget(def, 'finalResolutionRate'), 'higher'),
    reopen: withTarget(n('reopened'), n('handled'), plainTarget(def, 'reopenRate'), 'lower'),
    unresolvedReasons: reasons
      .map((x) => ({ key: x.reason, count: Number(x.n), share: Number(x.n) / unresolved }))
      .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key))),
  };
}
