/**
 * Runs one Execution step against a loaded instance and writes it back: state under the revision
 * check, effects, an audit row. Every command that moves tokens goes through here.
 */
import { EndlessLoopError, Execution } from '../bpmn/Execution.ts';
import { unprocessable } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type InstanceRecord, applyEffects, insertInstance, updateInstance } from '../store/instances.ts';
import type { ProcessGraph } from '../bpmn/model.ts';
import { type EngineContext, afterCommit, calendarOf } from './context.ts';
import { assignCreatedTasks } from './assign.ts';
import { casesCompleted } from '../observability/metrics.ts';
import { applySla, promiseOffHours } from './sla.ts';
import { graphOf } from './definitions.ts';

/** An Execution of the instance's current state, wired to the engine's services and calendars. */
export function executionFor(ctx: EngineContext, graph: ProcessGraph, inst: InstanceRecord, now: number, actor: string): Execution {
  return new Execution(
    {
      graph,
      instanceId: inst.id,
      businessKey: inst.businessKey,
      now,
      actor,
      services: ctx.services,
      addDuration: ctx.addDuration,
      calendar: (key) => calendarOf(ctx, graph, key),
    },
    inst.execution,
    inst.variables,
  );
}

export interface StepAudit {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export async function runStep(
  ctx: EngineContext,
  tx: Tx,
  now: number,
  inst: InstanceRecord,
  actor: string,
  work: (exec: Execution) => boolean | void,
  auditEntry: StepAudit,
  options: { isNew?: boolean } = {},
): Promise<Execution | undefined> {
  const graph = await graphOf(ctx, tx, inst.definitionId);
  const exec = executionFor(ctx, graph, inst, now, actor);
  try {
    if (work(exec) === false) return undefined;
  } catch (err) {
    if (err instanceof EndlessLoopError) {
      throw unprocessable('LD_ENDLESS_LOOP', `${err.message}; the step was not applied`, [{ elementId: err.nodeId, message: err.message }]);
    }
    throw err;
  }
  if (exec.ended) {
    inst.state = 'completed';
    inst.endedAt = now;
    if (!options.isNew) afterCommit(tx, () => casesCompleted.inc({ process: inst.processKey }));
  }
  if (exec.effects.tasksCreated.length) await assignCreatedTasks(ctx, tx, graph, exec, now, inst.businessKey);
  if (options.isNew) {
    await promiseOffHours(ctx, tx, graph, inst.id, inst.variables, now);
    await insertInstance(tx, inst);
  } else await updateInstance(tx, inst, inst.rev);
  await applyEffects(tx, inst, exec.effects, now, calendarOf(ctx, graph));
  await applySla(ctx, tx, graph, inst, exec, now, options.isNew === true);
  await audit(tx, now, auditEntry);
  const jobs = exec.effects.jobsCreated;
  if (jobs.length && ctx.onJobsScheduled) {
    const earliest = Math.min(...jobs.map((j) => j.dueAt));
    afterCommit(tx, () => ctx.onJobsScheduled?.(earliest));
  }
  return exec;
}
