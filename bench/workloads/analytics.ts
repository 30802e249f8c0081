/**
 * analytics: reports over a year of completed after-sales cases (R24, R34). A seeded generator
 * writes BENCH_ANALYTICS_CASES cases (default 200,000: the full 1,000,000 takes about six minutes on
 * a 2-core machine — 1 min writing, 3 min facts backfill, 2 min aggregation — so it is opt-in with
 * BENCH_ANALYTICS_CASES=1000000) into a fresh SQLite file with prepared statements in large
 * transactions: an instance with intake / handling /
 * callback form data, 6 closed node visits and 2 stopped SLA clocks each; 30% of the cases of two
 * June weeks run on a pilot version. Case facts and daily aggregates are then built the way a
 * server does on its first report (backfill), and the reports are timed through the same use cases
 * the HTTP routes call.
 *
 * Reported: cases; generation, facts backfill and aggregation time; node-duration, SLA and
 * pilot-comparison report times (median of 3 after a first run) for the whole year, and for one
 * month both as served (daily aggregates above exactCaseLimit) and forced exact. Target: < 1 s each.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { backfillCaseFacts, ensureFacts, nodesReport, pilotReport, slaStats } from '../../engine/analytics/index.ts';
import { applyPendingAggregates } from '../../engine/analytics/facts.ts';
import { ManualClock } from '../../engine/core/clock.ts';
import { builtInHandlers } from '../../engine/handlers/index.ts';
import { openSqlite } from '../../engine/store/db.ts';
import { openDatabase } from '../../engine/store/schema.ts';
import { createContext } from '../../engine/usecases/context.ts';
import { tempSqliteFile } from '../feedbackWorkload.ts';
import { seededRandom } from '../../engine/analytics/stats.ts';

export const name = 'analytics';

const H = 3_600_000;
const KEY = 'aftersales-feedback';
const YEAR_START = Date.parse('2025-01-01T00:00:00+08:00');
const YEAR_MS = 365 * 24 * H;
const PILOT_FROM = Date.parse('2025-06-02T00:00:00+08:00');
const PILOT_TO = Date.parse('2025-06-16T00:00:00+08:00');

const TYPES = ['complaint', 'fault', 'fault', 'fault', 'inquiry', 'after-sales', 'suggestion', 'other'];
const CHANNELS = ['phone', 'online-chat', 'web', 'app', 'email', 'social', 'store', 'third-party'];
const URGENCIES = ['high', 'normal', 'normal', 'normal', 'low'];
const DEPARTMENTS = ['aftersales-tech', 'service-center', 'east-service-team', 'south-service-team', 'north-service-team', 'product'];
const MODELS = ['KFR-35GW', 'KFR-26GW', 'BCD-500', 'XQG100', 'JSQ30', 'LED55', 'CXW-200', 'WD-12'];
const CAUSES = ['滤网积灰堵塞', '电源电压不稳', '传感器损坏', '排水管弯折', '控制板故障', '冷媒不足', '安装不水平', '密封条老化', '使用不当', '电容损坏'];
const REGIONS = ['华东', '华南', '华北', '华中', '西南'];


/** Writes the cases with one synchronous connection (the bulk path; the engine's is db.ts). */
function generate(file: string, cases: number): void {
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = OFF');
  const random = seededRandom(20250101);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  /** Log-normal-ish duration with the given median (hours). */
  const dur = (medianHours: number, spread = 1) => Math.round(medianHours * H * Math.exp(spread * (random() + random() + random() - 1.5) * 1.4));
  const graph = JSON.stringify({
    key: KEY,
    nodes: Object.fromEntries(
      ['verify', 'classify', 'to_tech', 'handle', 'report', 'callback'].map((id) => [id, { id, name: id, type: id.startsWith('to_') || id === 'report' ? 'serviceTask' : 'userTask' }]),
    ),
    flows: {},
    loopdesk: { slaPolicy: 'aftersales-default' },
  });
  const def = conn.prepare(
    `INSERT INTO process_definitions (id, key, version, status, name, xml, graph, checksum, deployed_at, deployed_by, published_at, pilot_teams, pilot_until)
     VALUES (?, ?, ?, ?, ?, '<xml/>', ?, ?, ?, 'bench', ?, ?, ?)`,
  );
  def.run(`${KEY}:1`, KEY, 1, 'published', KEY, graph, 'v1', YEAR_START, YEAR_START, null, null);
  def.run(`${KEY}:2`, KEY, 2, 'pilot', KEY, graph, 'v2', PILOT_FROM, null, JSON.stringify(['east']), PILOT_TO);
  const inst = conn.prepare(
    `INSERT INTO instances (id, process_key, version, definition_id, business_key, case_number, customer_id, state, variables, execution, rev, started_at, ended_at, started_by)
     VALUES (?, ?, ?, ?, NULL, ?, NULL, 'completed', ?, '{}', 9, ?, ?, 'intake')`,
  );
  const visit = conn.prepare(
    `INSERT INTO node_visits (id, instance_id, process_key, version, node_id, name, type, entered_at, left_at, duration_ms, working_ms, completed_by, outcome)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed')`,
  );
  const clock = conn.prepare(
    `INSERT INTO sla_clocks (id, instance_id, clock_key, policy_key, state, target_ms, working_time, calendar, started_at, segment_start, accumulated_ms, due_at, warn_at, warned_at, breached_at, stopped_at)
     VALUES (?, ?, ?, 'aftersales-default', ?, ?, 0, NULL, ?, NULL, ?, NULL, NULL, NULL, ?, ?)`,
  );
  const people = Array.from({ length: 120 }, (_, i) => `agent${String(i).padStart(3, '0')}`);
  const write = conn.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `c${String(i).padStart(9, '0')}`;
      const startedAt = YEAR_START + Math.floor((i / cases) * YEAR_MS);
      const pilot = startedAt >= PILOT_FROM && startedAt < PILOT_TO && random() < 0.3;
      const version = pilot ? 2 : 1;
      const urgency = pick(URGENCIES);
      const type = pick(TYPES);
      const owner = pick(people);
      const resolved = random() < 0.97;
      const reopen = random() < 0.08 ? 1 : 0;
      const score = Math.min(5, Math.max(1, Math.round(4.2 + (random() - 0.6) * 3)));
      const variables = {
        feedbackIntake: { channel: pick(CHANNELS), type, urgency, productModel: pick(MODELS), region: pick(REGIONS), description: `客户反映${pick(MODELS)}${pick(CAUSES)}` },
        handling: { responsibleDepartment: pick(DEPARTMENTS), responsiblePerson: owner, resolved, cause: pick(CAUSES), firstContactResolution: random() < 0.85 },
        callback: { satisfactionScore: score, nps: Math.min(10, Math.max(0, score * 2 + Math.round(random() * 2) - 1)), outcome: 'resolved-satisfied' },
        ...(reopen ? { reopenCount: 1 } : {}),
      };
      const steps: [string, string, number][] = [
        ['verify', 'userTask', dur(urgency === 'high' ? 0.5 : 2)],
        ['classify', 'userTask', dur(0.3)],
        ['to_tech', 'serviceTask', Math.round(random() * 200)],
        ['handle', 'userTask', dur(pilot ? 14 : 18, 1.2)],
        ['report', 'serviceTask', Math.round(random() * 500)],
        ['callback', 'userTask', dur(6)],
      ];
      let t = startedAt;
      let responseMs = 0;
      let resolutionMs = 0;
      for (const [j, [node, type, ms]] of steps.entries()) {
        visit.run(`${id}v${j}`, id, KEY, version, node, node, type, t, t + ms, ms, Math.round(ms * 0.4), type === 'userTask' ? owner : null);
        t += ms;
        if (node === 'verify') responseMs = t - startedAt;
        if (node === 'handle') resolutionMs = t - startedAt;
      }
      const responseTarget = (urgency === 'high' ? 2 : 24) * H;
      const resolutionTarget = (urgency === 'high' ? 24 : 72) * H;
      for (const [key, elapsed, target] of [
        ['response', responseMs, responseTarget],
        ['resolution', resolutionMs, resolutionTarget],
      ] as const) {
        const breached = elapsed > target;
        clock.run(`${id}${key === 'response' ? 'a' : 'b'}`, id, key, breached ? 'breached' : 'met', target, startedAt, elapsed, breached ? startedAt + target : null, startedAt + elapsed);
      }
      inst.run(id, KEY, version, `${KEY}:${version}`, `FB${i}`, JSON.stringify(variables), startedAt, t);
    }
  });
  for (let i = 0; i < cases; i += 20_000) write(i, Math.min(cases, i + 20_000));
  conn.close();
}

async function timed<T>(fn: () => Promise<T>): Promise<{ first: number; median: number; result: T }> {
  let started = performance.now();
  const result = await fn();
  const first = performance.now() - started;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return { first: Math.round(first), median: Math.round(runs[1]), result };
}

export async function run(cases = Number(process.env.BENCH_ANALYTICS_CASES ?? 200_000)) {
  const file = tempSqliteFile();
  await (await openDatabase({ kind: 'sqlite', location: file })).close();
  let started = performance.now();
  generate(file, cases);
  const generateSeconds = (performance.now() - started) / 1000;

  const db = openSqlite(file);
  const now = Date.parse('2026-01-05T10:00:00+08:00');
  const ctx = createContext(db, new ManualClock(now), builtInHandlers());
  started = performance.now();
  await backfillCaseFacts(db, now);
  const factsSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await applyPendingAggregates(db);
  const aggregateSeconds = (performance.now() - started) / 1000;
  await ensureFacts(db, now); // marks the backfill done, as the first report would

  const year = { processKey: KEY, from: '2025-01-01', to: '2025-12-31' };
  const month = { processKey: KEY, from: '2025-06-01', to: '2025-06-30' };
  const nodes = await timed(() => nodesReport(ctx, year));
  const sla = await timed(() => slaStats(ctx, year));
  const nodesMonth = await timed(() => nodesReport(ctx, month));
  const slaMonth = await timed(() => slaStats(ctx, month));
  const nodesMonthExact = await timed(() => nodesReport(ctx, { ...month, exact: true }));
  const slaMonthExact = await timed(() => slaStats(ctx, { ...month, exact: true }));
  const pilot = await timed(() => pilotReport(ctx, { processKey: KEY, version: 2 }));
  const resolution = pilot.result.comparison.durations.find((d) => d.metric === 'resolutionMs');
  await db.close();
  rmSync(dirname(file), { recursive: true, force: true });
  return {
    cases,
    nodeDurationMs: nodes.median,
    slaMs: sla.median,
    pilotMs: pilot.median,
    firstRunMs: { nodeDuration: nodes.first, sla: sla.first, pilot: pilot.first },
    monthMs: { nodeDuration: nodesMonth.median, sla: slaMonth.median, precision: nodesMonth.result.precision.source },
    monthExactMs: { nodeDuration: nodesMonthExact.median, sla: slaMonthExact.median },
    yearPrecision: nodes.result.precision.source,
    pilotGroups: { pilot: pilot.result.comparison.groups.pilot?.cases, baseline: pilot.result.comparison.groups.baseline?.cases, verdict: resolution?.verdict },
    generateSeconds: Math.round(generateSeconds),
    factsBackfillSeconds: Math.round(factsSeconds),
    aggregateSeconds: Math.round(aggregateSeconds),
  };
}
