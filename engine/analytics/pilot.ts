/**
 * Pilot vs baseline (R34): the cases that started on a pilot version against the cases of the same
 * process on other versions started in the same period, with the same filters — so a pilot is
 * judged against what the other teams did at the same time, not against last quarter.
 */
import { notFound } from '../core/errors.ts';
import type { Tx } from '../store/db.ts';
import { compareGroups } from './compare.ts';
import { type AnalyticsFilter, METRIC_COLUMNS, caseRows } from './filters.ts';
import type { AnalyticsSettings } from './settings.ts';

export async function pilotComparison(tx: Tx, processKey: string, version: number, f: AnalyticsFilter, settings: AnalyticsSettings, now: number) {
  const def = await tx.get<{ status: string; pilot_teams: string | null; pilot_until: number | null; deployed_at: number }>(
    'SELECT status, pilot_teams, pilot_until, deployed_at FROM process_definitions WHERE key = ? AND version = ?',
    [processKey, version],
  );
  if (!def) throw notFound('process version', `${processKey}:${version}`);
  const span = await tx.get<{ first: number | null; last: number | null }>(
    'SELECT MIN(started_at) AS first, MAX(started_at) AS last FROM case_facts WHERE process_key = ? AND version = ?',
    [processKey, version],
  );
  const from = f.from ?? (span?.first !== null && span?.first !== undefined ? Number(span.first) : Number(def.deployed_at));
  const lastPilot = span?.last !== null && span?.last !== undefined ? Number(span.last) + 1 : now;
  const to = f.to ?? Math.max(lastPilot, Math.min(now, def.pilot_until === null ? now : Number(def.pilot_until)));
  const period = { ...f, processKey, from, to };
  const pilot = await caseRows(tx, { ...period, version }, [], [], METRIC_COLUMNS);
  const baseline = await caseRows(tx, { ...period, version: undefined }, ['c.version <> ?'], [version], METRIC_COLUMNS);
  const pilotTeams = def.pilot_teams ? (JSON.parse(def.pilot_teams) as string[]) : [];
  return {
    processKey,
    version,
    status: def.status,
    pilotTeams,
    from,
    to,
    comparison: compareGroups(pilot, baseline, settings, {
      pilot: { label: `${processKey} v${version}`, from, to },
      baseline: { label: `${processKey} other versions`, from, to },
    }),
  };
}
