/**
 * Polls for due jobs and executes them: timers in-process, asynchronous service tasks through their
 * handlers. It also wakes early when a step schedules a job sooner than the next poll. Several
 * runners (nodes) may share one PostgreSQL database; see usecases/jobs.ts for why none fires twice.
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../usecases/context.ts';
import { PollingWorker } from './PollingWorker.ts';
import { finishServiceJob, fireNextDueTimer, leaseNextServiceJob } from '../usecases/jobs.ts';
import { DatabaseUnavailableError } from '../store/db.ts';

export interface JobRunnerOptions {
  pollMs?: number;
  /** Most jobs handled in one pass before yielding to HTTP traffic. */
  batch?: number;
  log?: (msg: string, err?: unknown) => void;
}

export class JobRunner extends PollingWorker {
  readonly workerId = `worker-${randomUUID()}`;
  private readonly inFlightServices = new Set<Promise<void>>();

  constructor(
    private readonly ctx: EngineContext,
    options: JobRunnerOptions = {},
  ) {
    super(options.pollMs ?? 500, options.batch ?? 200, options.log);
    ctx.onJobsScheduled = (dueAt) => this.wakeAt(dueAt);
  }

  private wakeAt(dueAt: number): void {
    const delay = dueAt - this.ctx.clock.now();
    if (delay < this.pollMs) this.schedule(delay);
  }

  /** Service calls run outside the pass; stop() and drain() wait for them too. */
  protected override async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlightServices]);
  }

  /**
   * Runs what is due now, up to `batch` jobs. The manual clock drains it after moving time, so
   * every timer that fell due has fired before the request answers.
   */
  protected async pass(): Promise<number> {
    let done = 0;
    while (done < this.batch) {
      let fired: boolean;
      try {
        fired = await fireNextDueTimer(this.ctx);
      } catch (err) {
        // With the database away every timer fails alike: end the pass (logged once by the poller)
        // and try again at the next poll instead of spinning through the batch.
        if (err instanceof DatabaseUnavailableError) throw err;
        this.log?.('timer failed; it will be retried', err);
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
          await finishServiceJob(this.ctx, job, this.workerId, outcome).catch((e) => this.log?.('service job report failed', e));
        }
      })();
      this.inFlightServices.add(work);
      void work.finally(() => this.inFlightServices.delete(work));
    }
    return done;
  }
}
