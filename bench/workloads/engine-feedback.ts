/**
 * engine-feedback: N feedback cases started and completed in-process against a SQLite file,
 * through the same use cases the HTTP routes call. Each case: start, register, handle (its PT2H
 * boundary timer armed then disarmed), callback with a score; every 10th case scores 2 and is
 * reopened once; 16 cases are in flight at a time, as with several agents on one server. Targets (issue 2, this 2-core machine): ≥ 1,000 cases/s, p99 completion < 5 ms.
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

export async function run(cases = Number(process.env.BENCH_CASES ?? 5000), concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16)) {
  const db = await openDatabase({ kind: 'sqlite', location: tempSqliteFile() });
  const ctx = createContext(db, new ManualClock(), builtInHandlers());
  await deploy(ctx, FEEDBACK_XML, SYSTEM, { publish: true });
  const openTask = async (instanceId: string) =>
    (await db.get<{ id: string }>("SELECT id FROM tasks WHERE instance_id = ? AND state = 'open'", [instanceId]))!.id;

  const latencies: number[] = [];
  const complete = async (instanceId: string, data: Record<string, unknown>) => {
    const id = await openTask(instanceId);
    const t0 = performance.now();
    await completeTask(ctx, id, data, SYSTEM);
    latencies.push(performance.now() - t0);
  };

  const playCase = async (i: number) => {
    const inst = await startInstance(ctx, { processKey: FEEDBACK_KEY, variables: {} }, SYSTEM);
    await complete(inst.id, { urgency: i % 3 === 0 ? 'high' : 'normal' });
    await complete(inst.id, { solution: 'replaced part' });
    if (i % 10 === 0) {
      await complete(inst.id, { score: 2 });
      await complete(inst.id, { solution: 'second visit' });
    }
    await complete(inst.id, { score: 5 });
  };
  // Several agents at once, as on a server: each driver plays its cases one after another.
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases) await playCase(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const done = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM instances WHERE state = 'completed'");
  await db.close();
  if (Number(done?.n) !== cases) throw new Error(`only ${done?.n} of ${cases} cases completed`);
  latencies.sort((a, b) => a - b);
  return {
    cases,
    concurrency,
    casesPerSec: round(cases / seconds, 1),
    tasksPerSec: round(latencies.length / seconds, 1),
    p50ms: round(percentile(latencies, 50), 3),
    p99ms: round(percentile(latencies, 99), 3),
    rssMB: round(process.memoryUsage().rss / 1024 / 1024, 1),
  };
}
