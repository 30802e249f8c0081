/**
 * Moving the manual clock as if time had passed continuously: time stops at each timer's due
 * instant on the way to the target and the timer fires then, so durations and the order of
 * events are what they would have been in real time.
 */
import type { ManualClock } from '../core/clock.ts';
import type { EngineContext } from '../usecases/context.ts';
import type { JobRunner } from './JobRunner.ts';

/** Bounded so a cycle timer with a tiny interval cannot keep the request busy forever. */
const MAX_STOPS = 100_000;

export async function advanceManualClock(ctx: EngineContext, clock: ManualClock, runner: JobRunner, target: number): Promise<number> {
  let fired = await runner.drain();
  for (let stops = 0; stops < MAX_STOPS; stops++) {
    const next = await ctx.db.get<{ due: number | null }>('SELECT MIN(due_at) AS due FROM jobs WHERE due_at <= ?', [target]);
    const due = next?.due === null || next?.due === undefined ? null : Number(next.due);
    if (due === null) break;
    if (due > clock.now()) clock.set(due);
    const n = await runner.drain();
    fired += n;
    // A due job that does not fire (a failing one postponed past target is fine) must not spin here.
    if (n === 0 && due <= clock.now()) break;
  }
  if (target > clock.now()) clock.set(target);
  return fired + (await runner.drain());
}
