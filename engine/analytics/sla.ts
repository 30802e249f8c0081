/**
 * Response and resolution (R5, R6, R24): first-response and resolution times from the SLA clocks
 * (elapsed = accumulated time when stopped; working time for working-time targets), their
 * mean/min/median/p90/max, attainment and breach rate per clock, the backlog of open cases with
 * ageing buckets, and the overdue list.
 */
import type { Tx } from '../store/db.ts';
import { AGGREGATE_PRECISION, EXACT_PRECISION, aggregatedCaseCount, mergedMetrics, mergedSummary } from './daily.ts';
import { parseClocks } from './facts.ts';
import { type AnalyticsFilter, coarseOnly, whereOf } from './filters.ts';
import type { AnalyticsSettings } from './settings.ts';
import { type Summary, emptySummary, rate, summarize } from './stats.ts';

export interface ClockStats {
  key: string;
  met: number;
  breached: number;
  attainment: number | null;
  breachRate: number | null;
  elapsed: Summary;
}

const clockStats = (key: string, met: number, breached: number, elapsed: Summary): ClockStats => ({
  key,
  met,
  breached,
  attainment: rate(met, met + breached),
  breachRate: rate(breached, met + breached),
  elapsed,
});

/**
 * Per clock key: clocks with an outcome (stopped, or breached while still running) count towards
 * attainment; elapsed times are those of stopped clocks. A case's clock is its first of the key.
 */
export async function slaReport(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, options: { exact?: boolean } = {}) {
  if (!options.exact && coarseOnly(f)) {
    const cases = await aggregatedCaseCount(tx, f);
    if (cases > settings.exactCaseLimit) {
      const merged = await mergedMetrics(tx, f, 'clock:', 0);
      const byKey = new Map<string, { met: number; breached: number; metrics: typeof merged }>();
      for (const m of merged) {
        const key = m.metric.slice('clock:'.length);
        const g = byKey.get(key) ?? { met: 0, breached: 0, metrics: [] };
        g.met += m.met;
        g.breached += m.breached;
        g.metrics.push(m);
        byKey.set(key, g);
      }
      const clocks = [...byKey.entries()].map(([key, g]) => {
        // Several process keys may share a clock key: merge their histograms.
        const [first, ...rest] = g.metrics;
        for (const m of rest) {
          first.n += m.n;
          first.sum += m.sum;
          first.min = first.min === null ? m.min : m.min === null ? first.min : Math.min(first.min, m.min);
          first.max = first.max === null ? m.max : m.max === null ? first.max : Math.max(first.max, m.max);
          for (const [b, c] of m.hist) first.hist.set(b, (first.hist.get(b) ?? 0) + c);
        }
        return clockStats(key, g.met, g.breached, mergedSummary(first));
      });
      return shape(AGGREGATE_PRECISION, cases, clocks);
    }
  }
  const w = await whereOf(tx, f);
  const rows = await tx.all<{ clocks: string }>(`SELECT c.clocks FROM case_facts c WHERE ${w.sql}`, w.params);
  const byKey = new Map<string, { met: number; breached: number; elapsed: number[] }>();
  for (const r of rows) {
    for (const c of parseClocks(r.clocks)) {
      const g = byKey.get(c.key) ?? { met: 0, breached: 0, elapsed: [] };
      if (c.state === 'met') g.met++;
      else if (c.state === 'breached' || c.state === 'overdue') g.breached++;
      if (c.elapsedMs !== null) g.elapsed.push(c.elapsedMs);
      byKey.set(c.key, g);
    }
  }
  return shape(
    EXACT_PRECISION,
    rows.length,
    [...byKey.entries()].map(([key, g]) => clockStats(key, g.met, g.breached, summarize(g.elapsed))),
  );
}

function shape(precision: typeof EXACT_PRECISION | typeof AGGREGATE_PRECISION, cases: number, clocks: ClockStats[]) {
  clocks.sort((a, b) => a.key.localeCompare(b.key));
  return {
    precision,
    cases,
    response: clocks.find((c) => c.key === 'response')?.elapsed ?? emptySummary(),
    resolution: clocks.find((c) => c.key === 'resolution')?.elapsed ?? emptySummary(),
    clocks,
  };
}

/** Open cases now, by age since intake, and those with a clock past due or breached. */
export async function backlog(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, now: number) {
  const w = await whereOf(tx, f, ["c.state = 'active'"]);
  const open = await tx.all<{ started_at: number }>(`SELECT c.started_at FROM case_facts c WHERE ${w.sql}`, w.params);
  const edges = [0, ...[...settings.ageingHours].sort((a, b) => a - b)];
  const ageing = edges.map((fromHours, i) => ({
    label: i + 1 < edges.length ? `${fromHours}-${edges[i + 1]}h` : `>${fromHours}h`,
    fromHours,
    toHours: i + 1 < edges.length ? edges[i + 1] : null,
    count: 0,
  }));
  for (const r of open) {
    const hours = (now - Number(r.started_at)) / 3_600_000;
    const bucket = ageing.findLast((b) => hours >= b.fromHours) ?? ageing[0];
    bucket.count++;
  }
  // Live clocks, not facts: an overdue list must be current to the minute.
  const overdueRows = await tx.all<{
    instance_id: string;
    case_number: string | null;
    owner: string | null;
    department: string | null;
    type: string | null;
    urgency: string | null;
    clock_key: string;
    due_at: number | null;
    breached_at: number | null;
  }>(
    `SELECT c.instance_id, c.case_number, c.owner, c.department, c.type, c.urgency, s.clock_key, s.due_at, s.breached_at
     FROM sla_clocks s JOIN case_facts c ON c.instance_id = s.instance_id
     WHERE s.stopped_at IS NULL AND (s.breached_at IS NOT NULL OR (s.due_at IS NOT NULL AND s.due_at < ?)) AND ${w.sql}`,
    [now, ...w.params],
  );
  const overdue = overdueRows
    .map((r) => {
      const due = r.due_at === null ? null : Number(r.due_at);
      const breachedAt = r.breached_at === null ? null : Number(r.breached_at);
      return {
        instanceId: r.instance_id,
        caseNumber: r.case_number,
        owner: r.owner,
        department: r.department,
        type: r.type,
        urgency: r.urgency,
        clock: r.clock_key,
        dueAt: due,
        breachedAt,
        overdueMs: now - (due ?? breachedAt ?? now),
      };
    })
    .sort((a, b) => b.overdueMs - a.overdueMs);
  return { open: open.length, ageing, overdue };
}
