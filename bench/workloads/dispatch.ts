/**
 * Smart dispatch (R11) at the size of a large service organisation: 1,000 agents in 20 teams of
 * 4 departments, 10 skill tags, 6 regions, 5 % absent, and 50,000 open tasks (90 % assigned).
 * Each assignment is one resolveAssignment call in its own transaction on a fresh SQLite file, as
 * the engine makes it when a user task opens: the skills strategy (two tags, a region) and
 * least-loaded, alternating over random teams.
 *
 * Target: ≥ 1,000 assignments/s and p99 ≤ 5 ms on one core, so dispatch stays a small part of a
 * step (the engine-feedback workload runs a few thousand steps/s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAssignment } from '../../engine/dispatch/resolve.ts';
import { newId } from '../../engine/core/ids.ts';
import { openDatabase } from '../../engine/store/schema.ts';
import { seededRandom } from '../../engine/analytics/stats.ts';

export const name = 'dispatch';

const AGENTS = 1_000;
const TEAMS = 20;
const OPEN_TASKS = 50_000;
const ASSIGNMENTS = 4_000;
const SKILLS = ['空调维修', '冰箱维修', '洗衣机维修', '热水器维修', '上门安装', '电路检测', '投诉处理', 'English', '日本語', '粤语'];
const REGIONS = ['华东', '华南', '华北', '华中', '西南', '西北'];
const DEPARTMENTS = ['aftersales-tech', 'service-center', 'product', 'marketing'];
const BATCH = 5_000;

interface Stats {
  perSec: number;
  p99ms: number;
  cpuMsPerAssignment: number;
  assigned: number;
}

export async function run(): Promise<{ agents: number; openTasks: number; assignmentsPerSec: number; p99ms: number; p50ms: number; cpuMsPerAssignment: number; byStrategy: Record<string, Stats> }> {
  const dir = mkdtempSync(join(tmpdir(), 'loopdesk-bench-dispatch-'));
  const db = await openDatabase({ kind: 'sqlite', location: join(dir, 'dispatch.sqlite') });
  const random = seededRandom(20260309);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const now = Date.parse('2026-03-09T10:00:00+08:00');
  try {
    const agents = Array.from({ length: AGENTS }, (_, i) => `agent${String(i).padStart(4, '0')}`);
    await db.transaction(async (tx) => {
      for (const [i, username] of agents.entries()) {
        const team = i % TEAMS;
        const skills = new Set<string>();
        while (skills.size < 3) skills.add(pick(SKILLS));
        await tx.run(
          `INSERT INTO users (id, username, password_hash, roles, teams, departments, skills, permissions, location, active, failed_logins, created_at)
           VALUES (?, ?, 'x', '["agent"]', ?, ?, ?, '[]', ?, 1, 0, 0)`,
          [newId(), username, JSON.stringify([`team-${team}`]), JSON.stringify([DEPARTMENTS[team % DEPARTMENTS.length]]), JSON.stringify([...skills]), pick(REGIONS)],
        );
        if (random() < 0.05) {
          await tx.run("INSERT INTO absences (id, username, from_at, until_at, reason, created_at, created_by) VALUES (?, ?, ?, ?, '年假', 0, ?)", [
            newId(),
            username,
            now - 86_400_000,
            now + 86_400_000,
            username,
          ]);
        }
      }
    });
    for (let start = 0; start < OPEN_TASKS; start += BATCH) {
      await db.transaction(async (tx) => {
        for (let i = start; i < Math.min(start + BATCH, OPEN_TASKS); i++) {
          await tx.run(
            `INSERT INTO tasks (id, instance_id, process_key, node_id, token_id, state, assignee, candidate_groups, candidate_users, created_at)
             VALUES (?, ?, 'feedback', 'handle', 1, 'open', ?, '[]', '[]', ?)`,
            [newId(), newId(), random() < 0.9 ? pick(agents) : null, now - Math.floor(random() * 30 * 86_400_000)],
          );
        }
      });
    }

    // Steady state: the seeding's WAL is folded into the database, as a running server's checkpoints do.
    await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
    const byStrategy: Record<string, Stats> = {};
    const all: number[] = [];
    let totalMs = 0;
    let totalCpuMs = 0;
    for (const strategy of ['skills', 'least-loaded'] as const) {
      const latencies: number[] = [];
      let assigned = 0;
      // Warm-up: statement caches, JIT.
      for (let i = 0; i < 200; i++) await db.transaction((tx) => resolveAssignment(tx, { strategy, groups: [`team-${i % TEAMS}`], now }));
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < ASSIGNMENTS / 2; i++) {
        const t0 = performance.now();
        const skills = strategy === 'skills' ? [pick(SKILLS), pick(SKILLS)] : undefined;
        const outcome = await db.transaction((tx) =>
          resolveAssignment(tx, { strategy, groups: [`team-${Math.floor(random() * TEAMS)}`], skills, location: pick(REGIONS), urgency: 'normal', now: now + i }),
        );
        latencies.push(performance.now() - t0);
        if (outcome.assignee) assigned++;
      }
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(cpu);
      totalMs += elapsed;
      totalCpuMs += (used.user + used.system) / 1000;
      all.push(...latencies);
      byStrategy[strategy] = {
        perSec: Math.round((latencies.length / elapsed) * 1000),
        p99ms: round(percentile(latencies, 0.99)),
        cpuMsPerAssignment: round((used.user + used.system) / 1000 / latencies.length),
        assigned,
      };
    }
    return {
      agents: AGENTS,
      openTasks: OPEN_TASKS,
      assignmentsPerSec: Math.round((all.length / totalMs) * 1000),
      p99ms: round(percentile(all, 0.99)),
      p50ms: round(percentile(all, 0.5)),
      cpuMsPerAssignment: round(totalCpuMs / all.length),
      byStrategy,
    };
  } finally {
    await db.close();
    // Best effort: SQLite may still be removing its -wal/-shm files.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

