/**
 * engine-feedback: feedback cases started and completed in-process against a SQLite file, through
 * the same use cases the HTTP routes call. Each case: start, register, handle (its PT2H boundary
 * timer armed then disarmed), callback with a score; every 10th case scores 2 and is reopened once.
 *
 * Three runs on fresh files (issue #2 targets on this 2-core machine: ≥ 1,000 cases/s and p99
 * completion latency < 5 ms):
 * - sequential: one case at a time → `sequential`: the service time of a completion, no queueing.
 * - saturated (closed loop): 16 drivers, as several agents on one server, each playing its cases
 *   back to back as fast as the engine answers → `casesPerSec`, `tasksPerSec`, and the latencies
 *   of a server running flat out (`saturated`), which are queueing time more than service time.
 * - paced (open loop): cases arrive on a fixed schedule at `BENCH_RATE` cases/s (default 1,000, the
 *   target), however fast earlier ones finish, as requests reach a real server → `p50ms`/`p99ms`:
 *   completion latency at the target throughput, queueing included, with no coordinated omission
 *   (a late arrival is timed from when it was due, not from when the driver got round to it).
 */
import { ManualClock } from '../../engine/core/clock.ts';
import { builtInHandlers } from '../../engine/handlers/index.ts';
import { openDatabase } from '../../engine/store/schema.ts';
import { SYSTEM, createContext } from '../../engine/usecases/context.ts';
import { deploy } from '../../engine/usecases/definitions.ts';
import { startInstance } from '../../engine/usecases/instances.ts';
import { completeTask } from '../../engine/usecases/tasks.ts';
import { FEEDBACK_KEY, FEEDBACK_XML, percentile, round, tempSqliteFile } from '../feedbackWorkload.ts';

export const name = 'engine-feedback';

interface Engine {
  playCase(i: number, dueAt?: number): Promise<void>;
  latencies: number[];
  close(): Promise<number>;
}

async function engine(): Promise<Engine> {
  const db = await openDatabase({ kind: 'sqlite', location: tempSqliteFile() });
  const ctx = createContext(db, new ManualClock(), builtInHandlers());
  await deploy(ctx, FEEDBACK_XML, SYSTEM, { publish: true });
  const openTask = async (instanceId: string) =>
    (await db.get<{ id: string }>("SELECT id FROM tasks WHERE instance_id = ? AND state = 'open'", [instanceId]))!.id;
  const latencies: number[] = [];
  const complete = async (instanceId: string, data: Record<string, unknown>, since?: number) => {
    const id = await openTask(instanceId);
    const t0 = since ?? performance.now();
    await completeTask(ctx, id, data, SYSTEM);
    latencies.push(performance.now() - t0);
  };
  return {
    latencies,
    // `dueAt`: when the case's first completion was due (paced run), so lateness counts as latency.
    async playCase(i, dueAt) {
      const inst = await startInstance(ctx, { processKey: FEEDBACK_KEY, variables: {} }, SYSTEM);
      await complete(inst.id, { urgency: i % 3 === 0 ? 'high' : 'normal' }, dueAt);
      await complete(inst.id, { solution: 'replaced part' });
      if (i % 10 === 0) {
        await complete(inst.id, { score: 2 });
        await complete(inst.id, { solution: 'second visit' });
      }
      await complete(inst.id, { score: 5 });
    },
    async close() {
      const done = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM instances WHERE state = 'completed'");
      await db.close();
      return Number(done?.n);
    },
  };
}

const latencySummary = (latencies: number[]) => {
  latencies.sort((a, b) => a - b);
  return { p50ms: round(percentile(latencies, 50), 3), p99ms: round(percentile(latencies, 99), 3), maxms: round(latencies.at(-1) ?? 0, 3) };
};

async function saturated(cases: number, concurrency: number) {
  const e = await engine();
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases) await e.playCase(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const completed = await e.close();
  if (completed !== cases) throw new Error(`only ${completed} of ${cases} cases completed`);
  return { casesPerSec: round(cases / seconds, 1), tasksPerSec: round(e.latencies.length / seconds, 1), ...latencySummary(e.latencies) };
}

async function paced(cases: number, rate: number) {
  const e = await engine();
  const began = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < cases; i++) {
    const dueAt = began + (i * 1000) / rate;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    running.push(e.playCase(i, dueAt));
  }
  await Promise.all(running);
  const seconds = (performance.now() - began) / 1000;
  const completed = await e.close();
  if (completed !== cases) throw new Error(`only ${completed} of ${cases} cases completed`);
  return { casesPerSec: round(cases / seconds, 1), ...latencySummary(e.latencies) };
}

export async function run(
  cases = Number(process.env.BENCH_CASES ?? 5000),
  concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16),
  rate = Number(process.env.BENCH_RATE ?? 1000),
) {
  const oneAtATime = await saturated(Math.min(cases, 2000), 1);
  const flatOut = await saturated(cases, concurrency);
  const atRate = await paced(cases, rate);
  return {
    cases,
    casesPerSec: flatOut.casesPerSec,
    tasksPerSec: flatOut.tasksPerSec,
    p50ms: atRate.p50ms,
    p99ms: atRate.p99ms,
    rssMB: round(process.memoryUsage().rss / 1024 / 1024, 1),
    sequential: oneAtATime,
    saturated: { concurrency, ...flatOut },
    paced: { offeredCasesPerSec: rate, ...atRate },
  };
}
