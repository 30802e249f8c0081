/**
 * Time per process node (R0c, R24, R26): count, mean, min, median, p90 and max of the wall-clock
 * and working-hours durations of closed visits, and the slowest cases per node with their
 * description and owner, for the cases started in the period.
 */
import type { ProcessGraph } from '../bpmn/model.ts';
import type { Tx } from '../store/db.ts';
import { AGGREGATE_PRECISION, EXACT_PRECISION, aggregatedCaseCount, mergedMetrics, mergedSummary } from './daily.ts';
import type { NodeTime } from './facts.ts';
import { type AnalyticsFilter, coarseOnly, normalise, whereOf } from './filters.ts';
import type { AnalyticsSettings } from './settings.ts';
import { type Summary, summarize } from './stats.ts';

export interface SlowCase {
  instanceId: string;
  caseNumber: string | null;
  description: string | null;
  owner: string | null;
  department: string | null;
  type: string | null;
  startedAt: number;
  valueMs: number | null;
  workingMs: number | null;
}

export interface NodeStats {
  processKey: string;
  nodeId: string;
  name: string | null;
  type: string | null;
  wall: Summary;
  working: Summary;
  slowest: SlowCase[];
}

const nameCache = new Map<string, Map<string, { name: string | null; type: string }>>();

/** Node names and types of the newest version of each process (names rarely change between versions). */
export async function nodeNames(tx: Tx, processKeys: string[]): Promise<Map<string, { name: string | null; type: string }>> {
  const out = new Map<string, { name: string | null; type: string }>();
  for (const key of processKeys) {
    const row = await tx.get<{ id: string; graph: string }>('SELECT id, graph FROM process_definitions WHERE key = ? ORDER BY version DESC LIMIT 1', [key]);
    if (!row) continue;
    let names = nameCache.get(row.id);
    if (!names) {
      const graph = JSON.parse(row.graph) as ProcessGraph;
      names = new Map(Object.values(graph.nodes).map((n) => [n.id, { name: n.name ?? null, type: n.type }]));
      nameCache.set(row.id, names);
    }
    for (const [id, v] of names) out.set(`${key}\u0000${id}`, v);
  }
  return out;
}

interface SlowRow {
  instance_id: string;
  case_number: string | null;
  description: string | null;
  owner: string | null;
  department: string | null;
  type: string | null;
  started_at: number;
}

const slowCase = (r: SlowRow, valueMs: number | null, workingMs: number | null): SlowCase => ({
  instanceId: r.instance_id,
  caseNumber: r.case_number,
  description: r.description,
  owner: r.owner,
  department: r.department,
  type: r.type,
  startedAt: Number(r.started_at),
  valueMs,
  workingMs,
});

export async function nodeDurations(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, options: { exact?: boolean } = {}) {
  const topN = settings.slowestPerNode;
  if (!options.exact && coarseOnly(f)) {
    const cases = await aggregatedCaseCount(tx, f);
    if (cases > settings.exactCaseLimit) return fromAggregates(tx, f, cases, topN);
  }
  const w = await whereOf(tx, f);
  const rows = await tx.all<SlowRow & { process_key: string; node_times: string }>(
    `SELECT c.instance_id, c.process_key, c.case_number, c.description, c.owner, c.department, c.type, c.started_at, c.node_times FROM case_facts c WHERE ${w.sql}`,
    w.params,
  );
  const groups = new Map<string, { processKey: string; nodeId: string; wall: number[]; working: number[]; slow: [number, number | null, SlowRow][] }>();
  for (const r of rows) {
    for (const [nodeId, wall, working] of JSON.parse(r.node_times) as NodeTime[]) {
      const k = `${r.process_key}\u0000${nodeId}`;
      let g = groups.get(k);
      if (!g) {
        g = { processKey: r.process_key, nodeId, wall: [], working: [], slow: [] };
        groups.set(k, g);
      }
      g.wall.push(wall);
      if (working !== null) g.working.push(working);
      if (topN > 0 && (g.slow.length < topN || wall > g.slow.at(-1)![0])) {
        g.slow.push([wall, working, r]);
        g.slow.sort((a, b) => b[0] - a[0]);
        if (g.slow.length > topN) g.slow.length = topN;
      }
    }
  }
  const names = await nodeNames(tx, [...new Set([...groups.values()].map((g) => g.processKey))]);
  const nodes: NodeStats[] = [...groups.entries()].map(([k, g]) => ({
    processKey: g.processKey,
    nodeId: g.nodeId,
    name: names.get(k)?.name ?? null,
    type: names.get(k)?.type ?? null,
    wall: summarize(g.wall),
    working: summarize(g.working),
    slowest: g.slow.map(([wall, working, r]) => slowCase(r, wall, working)),
  }));
  return { precision: EXACT_PRECISION, cases: rows.length, nodes: sortNodes(nodes) };
}

/** Slowest first by mean wall time: where the time goes. */
const sortNodes = (nodes: NodeStats[]) => nodes.sort((a, b) => (b.wall.mean ?? 0) - (a.wall.mean ?? 0) || a.nodeId.localeCompare(b.nodeId));

async function fromAggregates(tx: Tx, f: AnalyticsFilter, cases: number, topN: number) {
  const merged = await mergedMetrics(tx, f, 'node:', topN);
  const byNode = new Map<string, { processKey: string; nodeId: string; wall?: (typeof merged)[number]; work?: (typeof merged)[number] }>();
  for (const m of merged) {
    const [, nodeId, kind] = /^node:(.*):(wall|work)$/.exec(m.metric) ?? [];
    if (!nodeId) continue;
    const k = `${m.processKey}\u0000${nodeId}`;
    const g = byNode.get(k) ?? { processKey: m.processKey, nodeId };
    if (kind === 'wall') g.wall = m;
    else g.work = m;
    byNode.set(k, g);
  }
  const ids = [...new Set([...byNode.values()].flatMap((g) => g.wall?.top.map(([, id]) => id) ?? []))];
  const details = new Map<string, SlowRow & { node_times: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    for (const r of await tx.all<SlowRow & { node_times: string }>(
      `SELECT instance_id, case_number, description, owner, department, type, started_at, node_times FROM case_facts WHERE instance_id IN (${part.map(() => '?').join(', ')})`,
      part,
    )) {
      details.set(r.instance_id, normalise(r, ['started_at']));
    }
  }
  const names = await nodeNames(tx, [...new Set([...byNode.values()].map((g) => g.processKey))]);
  const nodes: NodeStats[] = [...byNode.entries()].map(([k, g]) => ({
    processKey: g.processKey,
    nodeId: g.nodeId,
    name: names.get(k)?.name ?? null,
    type: names.get(k)?.type ?? null,
    wall: mergedSummary(g.wall),
    working: mergedSummary(g.work),
    slowest: (g.wall?.top ?? []).flatMap(([value, id]) => {
      const r = details.get(id);
      if (!r) return [];
      const visit = (JSON.parse(r.node_times) as NodeTime[]).find(([n, wall]) => n === g.nodeId && wall === value);
      return [slowCase(r, value, visit?.[2] ?? null)];
    }),
  }));
  return { precision: AGGREGATE_PRECISION, cases, nodes: sortNodes(nodes) };
}
