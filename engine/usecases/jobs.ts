/**
 * Executing due jobs. A timer fires in one transaction that deletes its job row and applies the
 * step, so it fires exactly once even across restarts and nodes (row locks with SKIP LOCKED on
 * PostgreSQL, a single writer on SQLite). Asynchronous service work takes a lease, runs outside
 * any transaction, then reports back in a second transaction guarded by the lease.
 */
import type { ServiceCall } from '../bpmn/services.ts';
import { loadInstance } from '../store/instances.ts';
import { jobRetries, timerLagSeconds } from '../observability/metrics.ts';
import { type EngineContext, afterCommit, command } from './context.ts';
import { graphOf } from './definitions.ts';
import { fireSlaJob } from './sla.ts';
import { executionFor, runStep } from './step.ts';

interface JobRowDb {
  id: string;
  instance_id: string;
  kind: 'timer' | 'service' | 'sla';
  node_id: string;
  token_id: number;
  due_at: number;
  payload: string;
  attempts: number;
}

const LEASE_MS = 60_000;
const backoffMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 3_600_000);

/** Fires the next due timer, if any. Resolves to false when nothing was due. */
export async function fireNextDueTimer(ctx: EngineContext): Promise<boolean> {
  let failedJob: string | undefined;
  try {
    return await command(ctx, async (tx, now) => {
      const job = await tx.get<JobRowDb>(
        `SELECT * FROM jobs WHERE kind IN ('timer', 'sla') AND due_at <= ? ORDER BY due_at, id LIMIT 1${ctx.db.skipLocked}`,
        [now],
      );
      if (!job) return false;
      failedJob = job.id;
      if ((await tx.run('DELETE FROM jobs WHERE id = ?', [job.id])) !== 1) return true;
      afterCommit(tx, () => timerLagSeconds.observe(Math.max(0, now - Number(job.due_at)) / 1000));
      if (job.kind === 'sla') {
        await fireSlaJob(tx, ctx, job, now);
        return true;
      }
      const inst = await loadInstance(tx, job.instance_id);
      if (!inst || inst.state !== 'active') return true;
      const payload = JSON.parse(job.payload) as Record<string, unknown>;
      // The job row is already gone from this transaction, so the step must not delete it again.
      await runStep(
        ctx,
        tx,
        now,
        inst,
        'system',
        (exec) => {
          const fired = exec.fireTimer({ id: job.id, nodeId: job.node_id, tokenId: job.token_id, payload });
          exec.effects.jobsDeleted = exec.effects.jobsDeleted.filter((j) => j !== job.id);
          return fired;
        },
        {
          actor: 'system',
          action: 'timer.fire',
          entityType: 'instance',
          entityId: inst.id,
          after: { nodeId: job.node_id, dueAt: job.due_at, firedAt: now },
        },
      );
      return true;
    });
  } catch (err) {
    if (failedJob) await postpone(ctx, failedJob, (err as Error).message);
    throw err;
  }
}

async function postpone(ctx: EngineContext, jobId: string, message: string): Promise<void> {
  jobRetries.inc();
  await ctx.db
    .transaction(async (tx) => {
      const row = await tx.get<{ attempts: number }>('SELECT attempts FROM jobs WHERE id = ?', [jobId]);
      if (!row) return;
      await tx.run('UPDATE jobs SET attempts = ?, last_error = ?, due_at = ? WHERE id = ?', [
        row.attempts + 1,
        message.slice(0, 2000),
        ctx.clock.now() + backoffMs(row.attempts + 1),
        jobId,
      ]);
    })
    .catch(() => undefined);
}

interface LeasedServiceJob {
  id: string;
  instanceId: string;
  tokenId: number;
  attempts: number;
  retries: number;
  handler: string;
  call: ServiceCall;
}

/** Takes the lease on the next due service job and prepares its call. */
export async function leaseNextServiceJob(ctx: EngineContext, workerId: string): Promise<LeasedServiceJob | undefined> {
  return command(ctx, async (tx, now) => {
    const job = await tx.get<JobRowDb>(
      `SELECT * FROM jobs WHERE kind = 'service' AND due_at <= ? AND (locked_until IS NULL OR locked_until < ?) ORDER BY due_at, id LIMIT 1${ctx.db.skipLocked}`,
      [now, now],
    );
    if (!job) return undefined;
    const leased = await tx.run(
      'UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1 WHERE id = ? AND (locked_until IS NULL OR locked_until < ?)',
      [workerId, now + LEASE_MS, job.id, now],
    );
    if (leased !== 1) return undefined;
    const inst = await loadInstance(tx, job.instance_id);
    if (!inst) {
      await tx.run('DELETE FROM jobs WHERE id = ?', [job.id]);
      return undefined;
    }
    const graph = await graphOf(ctx, tx, inst.definitionId);
    const node = graph.nodes[job.node_id]!;
    const exec = executionFor(ctx, graph, inst, now, 'system');
    return {
      id: job.id,
      instanceId: inst.id,
      tokenId: job.token_id,
      attempts: job.attempts + 1,
      retries: node.retries ?? 3,
      handler: node.taskType ?? '',
      call: exec.serviceCall(node),
    };
  });
}

export type ServiceOutcome = { result?: Record<string, unknown>; errorCode?: string } | { failure: string };

/** Reports a service job's outcome; a lost lease (another node took over) drops it. */
export async function finishServiceJob(ctx: EngineContext, job: LeasedServiceJob, workerId: string, outcome: ServiceOutcome): Promise<void> {
  await command(ctx, async (tx, now) => {
    if ('failure' in outcome && job.attempts < job.retries) {
      await tx.run('UPDATE jobs SET locked_by = NULL, locked_until = NULL, due_at = ?, last_error = ? WHERE id = ? AND locked_by = ?', [
        now + backoffMs(job.attempts),
        outcome.failure.slice(0, 2000),
        job.id,
        workerId,
      ]);
      return;
    }
    if ((await tx.run('DELETE FROM jobs WHERE id = ? AND locked_by = ?', [job.id, workerId])) !== 1) return;
    const inst = await loadInstance(tx, job.instanceId);
    if (!inst || inst.state !== 'active') return;
    await runStep(
      ctx,
      tx,
      now,
      inst,
      'system',
      (exec) => {
        exec.effects.jobsDeleted = exec.effects.jobsDeleted.filter((j) => j !== job.id);
        if ('failure' in outcome) return exec.failService(job.tokenId, `${job.handler} failed ${job.attempts} times: ${outcome.failure}`);
        return exec.completeService(job.tokenId, outcome);
      },
      {
        actor: 'system',
        action: 'failure' in outcome ? 'service.failed' : 'service.complete',
        entityType: 'instance',
        entityId: inst.id,
        after: { handler: job.handler, attempts: job.attempts, ...outcome },
      },
    );
  });
}
