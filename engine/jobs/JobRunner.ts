/**
 * Polls for due jobs and executes them: timers in-process, asynchronous service tasks through their
 * handlers. It also wakes early when a step schedules a job sooner than the next poll. Several
 * runners (nodes) may share one PostgreSQL database; see usecases/jobs.ts for why none fires twice.
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../usecases/context.ts';
import { finishServiceJob, fireNextDueTimer, leaseNextServiceJob } from '../usecases/jobs.ts';

export interface JobRunnerOptions {
  pollMs?: number;
  /** Most jobs handled in one pass before yielding to HTTP traffic. */
  batch?: number;
  log?: (msg: string, err?: unknown) => void;
}

export class JobRunner {
  readonly workerId = `worker-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly inFlightServices = new Set<Promise<void>>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.batch = options.batch ?? 200;
    ctx.onJobsScheduled = (dueAt) => this.wakeAt(dueAt);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the pass and the service calls under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlightServices]);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delay));
    this.timer.unref?.();
  }

  private wakeAt(dueAt: number): void {
    const delay = dueAt - this.ctx.clock.now();
    if (delay < this.pollMs) this.schedule(delay);
  }

  private async tick(): Promise<void> {
    try {
      const n = await this.runDue();
      this.schedule(n >= this.batch ? 0 : this.pollMs);
    } catch (err) {
      this.options.log?.('job pass failed', err);
      this.schedule(this.pollMs);
    }
  }

  /**
   * Runs what is due now, up to `batch` jobs. The manual clock calls it after moving time and
   * loops until it returns 0, so every timer that fell due has fired before the request answers.
   */
  runDue(): Promise<number> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Runs passes until nothing is due (bounded, so a runaway cycle cannot hang the caller). */
  async drain(maxPasses = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxPasses; i++) {
      const n = await this.runDue();
      total += n;
      if (n === 0) break;
    }
    await Promise.allSettled([...this.inFlightServices]);
    return total;
  }

  private async pass(): Promise<number> {
    let done = 0;
    while (done < this.batch) {
      let fired: boolean;
      try {
        fired = await fireNextDueTimer(this.ctx);
      } catch (err) {
        this.options.log?.('timer failed; it will be retried', err);
        fired = true;
      }
      if (!fired) break;
      done++;
    }
    while (done < this.batch) {
      const job = await leaseNextServiceJob(this.ctx, this.workerId);
      if (!job) break;
      done++;
      const handler = this.ctx.services.get(job.handler);
      const work = (async () => {
        try {
          if (!handler || handler.mode !== 'async') throw new Error(`no asynchronous handler named "${job.handler}"`);
          const result = await handler.run(job.call);
          await finishServiceJob(this.ctx, job, this.workerId, { result: result ?? {} });
        } catch (err) {
          const code = (err as { errorCode?: string }).errorCode;
          const outcome = code ? { errorCode: code } : { failure: (err as Error).message };
          await finishServiceJob(this.ctx, job, this.workerId, outcome).catch((e) => this.options.log?.('service job report failed', e));
        }
      })();
      this.inFlightServices.add(work);
      void work.finally(() => this.inFlightServices.delete(work));
    }
    return done;
  }
}
