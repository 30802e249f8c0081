/**
 * One step of one instance: tokens move through the graph until every token waits (user task,
 * timer, message, join, async service) or the instance ends. Pure in-memory work; the effects it
 * records are written by the store in the same transaction as the new state.
 */
import { newId } from '../core/ids.ts';
import { BpmnError, RevisionConflict } from '../core/errors.ts';
import { FeelError, evaluateFeel } from '../core/feel.ts';
import { type AddDuration, TimerError, type TimerSchedule, nextCycle, scheduleTimer } from '../core/timers.ts';
import { behaviourOf } from './elements/index.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import type { FlowNode, IoMapping, ProcessGraph } from './model.ts';
import { canReach } from './reachability.ts';
import type { ServiceRegistry } from './services.ts';
import {
  type Effects,
  type ExecutionState,
  type Token,
  type VisitOutcome,
  type VisitRow,
  type WaitKind,
  noEffects,
} from './state.ts';

/** Automatic steps allowed in one command before it is cut off as an endless loop. */
export const MAX_STEPS_PER_COMMAND = 10_000;

export class EndlessLoopError extends Error {
  override readonly name = 'EndlessLoopError';
  constructor(readonly nodeId: string) {
    super(`more than ${MAX_STEPS_PER_COMMAND} automatic steps without a wait state (last at ${nodeId})`);
  }
}

export interface ExecutionContext {
  graph: ProcessGraph;
  instanceId: string;
  businessKey: string | null;
  now: number;
  actor: string;
  services: ServiceRegistry;
  addDuration: AddDuration;
  /** A business calendar by key (undefined key: the process's own), for working-time timers. */
  calendar?: (key?: string) => BusinessCalendar | undefined;
}

interface Arrival {
  token: Token;
  nodeId: string;
  via?: string;
}

export class Execution {
  readonly effects: Effects = noEffects();
  /** Set when the root scope has no tokens left. */
  ended: 'completed' | null = null;
  private readonly agenda: Arrival[] = [];
  private readonly pendingJoins = new Set<string>();
  private readonly openVisits = new Map<string, VisitRow>();
  private steps = 0;

  constructor(
    readonly ctx: ExecutionContext,
    readonly state: ExecutionState,
    readonly variables: Record<string, unknown>,
  ) {}

  get graph(): ProcessGraph {
    return this.ctx.graph;
  }

  node(id: string): FlowNode {
    const n = this.graph.nodes[id];
    if (!n) throw new Error(`node ${id} is not in process ${this.graph.key}`);
    return n;
  }

  // ---- commands -------------------------------------------------------------------------------

  start(): void {
    const token = this.newToken('root', this.graph.startEventId);
    this.arrive(token, this.graph.startEventId);
    this.drain();
  }

  /** `variables` enter the process (through output mappings if any); `taskData` is kept on the task row. */
  completeTask(taskId: string, variables: Record<string, unknown>, by: string, taskData: unknown = variables): void {
    const token = this.state.tokens.find((t) => t.taskId === taskId);
    // The task row said open but the instance has moved on: a concurrent step won; retry to see it.
    if (!token) throw new RevisionConflict(`task ${taskId} has no token in instance ${this.ctx.instanceId}`);
    const node = this.node(token.nodeId);
    this.applyOutputs(node, variables);
    this.effects.tasksClosed.push({ id: taskId, state: 'completed', by, data: taskData });
    token.taskId = undefined;
    this.leave(token, 'completed', by);
    this.drain();
  }

  /** A timer job fell due. Returns false when the job no longer belongs to a live token. */
  fireTimer(job: { id: string; nodeId: string; tokenId: number; payload: Record<string, unknown> }): boolean {
    const token = this.state.tokens.find((t) => t.id === job.tokenId && t.jobIds?.includes(job.id));
    if (!token) return false;
    token.jobIds = token.jobIds?.filter((j) => j !== job.id);
    if (job.nodeId === token.nodeId) {
      this.leave(token, 'completed', null);
    } else {
      const schedule = job.payload.schedule as TimerSchedule | undefined;
      const boundary = this.node(job.nodeId);
      if (!boundary.cancelActivity && schedule) this.rearmCycle(token, boundary, schedule);
      this.triggerBoundary(token, boundary);
    }
    this.drain();
    return true;
  }

  correlateMessage(sub: { id: string; nodeId: string; tokenId: number }, variables: Record<string, unknown>): boolean {
    const token = this.state.tokens.find((t) => t.id === sub.tokenId && t.subIds?.includes(sub.id));
    if (!token) return false;
    Object.assign(this.variables, variables);
    token.subIds = token.subIds?.filter((s) => s !== sub.id);
    this.effects.subscriptionsDeleted.push(sub.id);
    if (sub.nodeId === token.nodeId) this.leave(token, 'completed', null);
    else this.triggerBoundary(token, this.node(sub.nodeId));
    this.drain();
    return true;
  }

  /** An asynchronous service task finished (or threw a BPMN error) outside the transaction. */
  completeService(tokenId: number, outcome: { result?: Record<string, unknown>; errorCode?: string }): boolean {
    const token = this.state.tokens.find((t) => t.id === tokenId && t.wait === 'service');
    if (!token) return false;
    const node = this.node(token.nodeId);
    if (outcome.errorCode) this.throwError(token, outcome.errorCode);
    else {
      this.applyOutputs(node, outcome.result ?? {});
      this.leave(token, 'completed', null);
    }
    this.drain();
    return true;
  }

  /**
   * Retries a node where tokens stopped with an incident (after the definition or the data was
   * fixed): each such token's failed visit closes with outcome `error` and the token enters the
   * node afresh. Failing again raises a new incident. Returns how many tokens were retried.
   */
  retryIncident(nodeId: string | null): number {
    const stuck = this.state.tokens.filter((t) => t.wait === 'incident' && (nodeId === null || t.nodeId === nodeId));
    for (const token of stuck) {
      this.closeVisit(token, 'error', this.ctx.actor);
      this.arrive(token, token.nodeId, token.via);
    }
    this.drain();
    return stuck.length;
  }

  /** An asynchronous service task used up its retries: the token stops there with an incident. */
  failService(tokenId: number, message: string): boolean {
    const token = this.state.tokens.find((t) => t.id === tokenId && t.wait === 'service');
    if (!token) return false;
    this.raiseIncident(token, token.nodeId, 'LD_SERVICE_FAILED', message);
    return true;
  }

  // ---- token movement (used by element behaviours) -------------------------------------------

  newToken(scope: string, nodeId: string): Token {
    const token: Token = { id: ++this.state.seq, nodeId, scope, enteredAt: this.ctx.now };
    this.state.tokens.push(token);
    return token;
  }

  /** Queues the token's arrival at a node; the agenda keeps long automatic chains off the stack. */
  arrive(token: Token, nodeId: string, via?: string): void {
    this.agenda.push({ token, nodeId, via });
  }

  private drain(): void {
    for (;;) {
      const next = this.agenda.shift();
      if (next) {
        if (++this.steps > MAX_STEPS_PER_COMMAND) throw new EndlessLoopError(next.nodeId);
        this.enter(next);
        continue;
      }
      if (!this.runPendingJoins()) return;
    }
  }

  private enter({ token, nodeId, via }: Arrival): void {
    if (!this.state.tokens.includes(token)) return; // cancelled while queued
    const node = this.node(nodeId);
    token.nodeId = nodeId;
    token.via = via;
    token.enteredAt = this.ctx.now;
    token.wait = undefined;
    if (!isJoin(node)) this.openVisit(token, node);
    this.guard(token, () => behaviourOf(node.type).enter(this, token, node));
  }

  /** Runs a behaviour; an incident it signals leaves the token waiting at the node instead. */
  private guard(token: Token, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof IncidentSignal)) throw err;
      if (!this.state.tokens.includes(token)) this.state.tokens.push(token);
      this.raiseIncident(token, err.nodeId, err.code, err.message);
    }
  }

  /** Leaves the token waiting at its node. */
  wait(token: Token, kind: WaitKind): void {
    token.wait = kind;
  }

  /** The token's node is done: close its visit, disarm its boundary events, follow its flows. */
  leave(token: Token, outcome: VisitOutcome, by: string | null, flows?: string[]): void {
    const node = this.node(token.nodeId);
    this.closeVisit(token, outcome, by);
    this.disarm(token);
    token.wait = undefined;
    this.take(token, flows ?? node.outgoing);
  }

  /** Sends the token down the given flows: the first reuses it, the rest fork new tokens. */
  take(token: Token, flowIds: string[]): void {
    if (flowIds.length === 0) {
      this.consume(token);
      return;
    }
    flowIds.forEach((flowId, i) => {
      const flow = this.graph.flows[flowId]!;
      const t = i === 0 ? token : this.newToken(token.scope, flow.targetRef);
      this.arrive(t, flow.targetRef, flowId);
    });
  }

  /** The token ends here; an empty scope completes its sub-process or the instance. */
  consume(token: Token): void {
    this.removeToken(token);
    this.afterTokenRemoved(token.scope);
  }

  private afterTokenRemoved(scopeId: string): void {
    this.markJoinsOfScope(scopeId);
    if (this.state.tokens.some((t) => t.scope === scopeId)) return;
    if (scopeId === 'root') {
      this.ended = 'completed';
      return;
    }
    const scope = this.state.scopes.find((s) => s.id === scopeId);
    if (!scope) return;
    this.state.scopes = this.state.scopes.filter((s) => s !== scope);
    const parent = this.state.tokens.find((t) => t.id === scope.tokenId);
    if (parent) this.leave(parent, 'completed', null);
  }

  private removeToken(token: Token): void {
    this.state.tokens = this.state.tokens.filter((t) => t !== token);
  }

  // ---- joins ---------------------------------------------------------------------------------

  private markJoinsOfScope(scopeId: string): void {
    for (const t of this.state.tokens) if (t.scope === scopeId && t.wait === 'join') this.pendingJoins.add(`${scopeId}\u0000${t.nodeId}`);
  }

  /** Asks the join to be re-evaluated once the agenda is empty (inclusive joins look at every token). */
  requestJoin(token: Token): void {
    this.pendingJoins.add(`${token.scope}\u0000${token.nodeId}`);
  }

  private runPendingJoins(): boolean {
    for (const key of this.pendingJoins) {
      this.pendingJoins.delete(key);
      const [scope, nodeId] = key.split('\u0000') as [string, string];
      const node = this.graph.nodes[nodeId];
      if (!node) continue;
      const waiting = this.state.tokens.filter((t) => t.scope === scope && t.nodeId === nodeId && t.wait === 'join');
      if (waiting.length === 0) continue;
      const fired = node.type === 'parallelGateway' ? this.tryParallelJoin(node, waiting) : this.tryInclusiveJoin(node, scope, waiting);
      if (fired) return true;
    }
    return false;
  }

  /** Fires when every incoming flow has delivered at least one token; one token per flow is consumed. */
  private tryParallelJoin(node: FlowNode, waiting: Token[]): boolean {
    const chosen: Token[] = [];
    for (const flow of node.incoming) {
      const t = waiting.find((w) => w.via === flow);
      if (!t) return false;
      chosen.push(t);
    }
    this.fireJoin(node, chosen);
    return true;
  }

  /** Fires when no other token of the scope can still reach the gateway. */
  private tryInclusiveJoin(node: FlowNode, scope: string, waiting: Token[]): boolean {
    const others = this.state.tokens.filter((t) => t.scope === scope && !waiting.includes(t));
    if (others.some((t) => canReach(this.graph, t.nodeId, node.id))) return false;
    this.fireJoin(node, waiting);
    return true;
  }

  private fireJoin(node: FlowNode, arrived: Token[]): void {
    const [survivor, ...rest] = arrived.sort((a, b) => a.enteredAt - b.enteredAt || a.id - b.id);
    for (const t of rest) this.removeToken(t);
    const token = survivor!;
    const enteredAt = token.enteredAt;
    this.openVisit(token, node);
    const visit = this.openVisits.get(token.visitId!);
    if (visit) visit.enteredAt = enteredAt;
    token.wait = undefined;
    this.guard(token, () => behaviourOf(node.type).afterJoin!(this, token, node));
  }

  // ---- gateways ------------------------------------------------------------------------------

  /** The outgoing flows whose FEEL condition holds (unconditional ones always hold), in document order. */
  flowsWhoseConditionHolds(node: FlowNode): string[] {
    return node.outgoing.filter((id) => {
      if (id === node.defaultFlow) return false;
      const cond = this.graph.flows[id]!.condition;
      return cond === undefined || this.condition(node, cond);
    });
  }

  condition(node: FlowNode, expression: string): boolean {
    try {
      return evaluateFeel(expression, this.variables) === true;
    } catch (err) {
      throw new IncidentSignal(node.id, 'LD_FEEL_ERROR', (err as Error).message);
    }
  }

  // ---- activities ----------------------------------------------------------------------------

  /** Arms the timers and message subscriptions of an activity's boundary events. */
  armBoundaryEvents(token: Token, node: FlowNode): void {
    for (const id of node.boundaryEvents) {
      const b = this.node(id);
      if (b.eventKind === 'timer' && b.timer) this.armTimer(token, b, scheduleOrIncident(this, b));
      else if (b.eventKind === 'message') this.subscribe(token, b);
    }
  }

  armTimer(token: Token, timerNode: FlowNode, schedule: TimerSchedule): void {
    const id = newId();
    this.effects.jobsCreated.push({
      id,
      kind: 'timer',
      nodeId: timerNode.id,
      tokenId: token.id,
      dueAt: schedule.dueAt,
      payload: schedule.cycle ? { schedule } : {},
    });
    token.jobIds = [...(token.jobIds ?? []), id];
  }

  private rearmCycle(token: Token, boundary: FlowNode, fired: TimerSchedule): void {
    const next = nextCycle(fired, durationAdder(this, boundary));
    if (next) this.armTimer(token, boundary, next);
  }

  subscribe(token: Token, node: FlowNode): void {
    const id = newId();
    this.effects.subscriptionsCreated.push({ id, tokenId: token.id, nodeId: node.id, messageName: node.messageName! });
    token.subIds = [...(token.subIds ?? []), id];
  }

  /** Removes the token's timers and subscriptions (its node is left or cancelled). */
  private disarm(token: Token): void {
    if (token.jobIds?.length) this.effects.jobsDeleted.push(...token.jobIds);
    if (token.subIds?.length) this.effects.subscriptionsDeleted.push(...token.subIds);
    token.jobIds = undefined;
    token.subIds = undefined;
  }

  /** A boundary event fires on the activity `token` waits at. */
  triggerBoundary(token: Token, boundary: FlowNode): void {
    if (boundary.cancelActivity !== false) {
      this.cancel(token, 'cancelled', false);
      this.state.tokens.push(token);
      this.arrive(token, boundary.id);
    } else {
      this.arrive(this.newToken(token.scope, boundary.id), boundary.id);
    }
  }

  /** Cancels what a token is doing (task, timers, a whole sub-process scope) and removes it. */
  cancel(token: Token, outcome: VisitOutcome, notifyScope = true): void {
    this.closeVisit(token, outcome, null);
    this.disarm(token);
    if (token.taskId) {
      this.effects.tasksClosed.push({ id: token.taskId, state: 'cancelled', by: null, data: null });
      token.taskId = undefined;
    }
    const inner = this.state.scopes.find((s) => s.tokenId === token.id);
    if (inner) this.cancelScope(inner.id, outcome);
    token.wait = undefined;
    this.removeToken(token);
    if (notifyScope) this.afterTokenRemoved(token.scope);
  }

  /** Cancels every token of a scope and its nested scopes (terminate end, interrupting boundary). */
  cancelScope(scopeId: string, outcome: VisitOutcome): void {
    for (const t of this.state.tokens.filter((x) => x.scope === scopeId)) this.cancel(t, outcome, false);
    this.state.scopes = this.state.scopes.filter((s) => s.id !== scopeId);
    this.agenda.splice(0, this.agenda.length, ...this.agenda.filter((a) => this.state.tokens.includes(a.token)));
  }

  /** Starts a sub-process scope for the token waiting at the sub-process node. */
  openScope(token: Token, node: FlowNode): void {
    const scopeId = `s${++this.state.seq}`;
    this.state.scopes.push({ id: scopeId, nodeId: node.id, parentScope: token.scope, tokenId: token.id });
    const inner = this.newToken(scopeId, node.startEventId!);
    this.arrive(inner, node.startEventId!);
  }

  /** Throws a BPMN error from the token's node to the nearest matching error boundary event. */
  throwError(token: Token, errorCode: string): void {
    const matches = (activity: FlowNode) =>
      activity.boundaryEvents
        .map((id) => this.node(id))
        .find((b) => b.eventKind === 'error' && (b.errorCode === undefined || b.errorCode === errorCode));
    const here = this.node(token.nodeId);
    const own = here.type === 'serviceTask' ? matches(here) : undefined;
    if (own) {
      this.triggerBoundary(token, own);
      return;
    }
    this.closeVisit(token, 'error', null);
    this.disarm(token);
    let scopeId = token.scope;
    this.removeToken(token);
    while (scopeId !== 'root') {
      const scope = this.state.scopes.find((s) => s.id === scopeId);
      if (!scope) break;
      const catcher = matches(this.node(scope.nodeId));
      const holder = this.state.tokens.find((t) => t.id === scope.tokenId);
      if (catcher && holder) {
        this.triggerBoundary(holder, catcher);
        return;
      }
      scopeId = scope.parentScope;
    }
    // Nobody catches it: the instance keeps its state and shows an incident until someone acts.
    const stuck = this.newToken(token.scope, here.id);
    this.raiseIncident(stuck, here.id, 'LD_UNHANDLED_BPMN_ERROR', `BPMN error "${errorCode}" thrown at ${here.id} is not caught`);
  }

  raiseIncident(token: Token, nodeId: string | null, code: string, message: string): void {
    token.wait = 'incident';
    this.effects.incidents.push({ id: newId(), nodeId, code, message });
  }

  /** Service tasks: runs a synchronous handler now, or queues an asynchronous one as a job. */
  runService(token: Token, node: FlowNode): void {
    const handler = this.ctx.services.get(node.taskType ?? '');
    if (!handler) {
      this.raiseIncident(token, node.id, 'LD_UNKNOWN_HANDLER', `no service handler named "${node.taskType}"`);
      return;
    }
    if (handler.mode === 'async') {
      const id = newId();
      this.effects.jobsCreated.push({ id, kind: 'service', nodeId: node.id, tokenId: token.id, dueAt: this.ctx.now, payload: {} });
      this.wait(token, 'service');
      this.armBoundaryEvents(token, node);
      return;
    }
    try {
      const result = handler.run(this.serviceCall(node), (kind, payload) =>
        this.effects.outbox.push({ id: newId(), kind, payload: { ...payload, instanceId: this.ctx.instanceId, nodeId: node.id } }),
      );
      this.applyOutputs(node, result ?? {});
      this.leave(token, 'completed', null);
    } catch (err) {
      if (err instanceof BpmnError) this.throwError(token, err.errorCode);
      else this.raiseIncident(token, node.id, 'LD_SERVICE_FAILED', (err as Error).message);
    }
  }

  serviceCall(node: FlowNode) {
    return {
      instanceId: this.ctx.instanceId,
      businessKey: this.ctx.businessKey,
      nodeId: node.id,
      inputs: this.evaluateMappings(node.inputs, this.variables),
      headers: node.taskHeaders ?? {},
      variables: { ...this.variables },
    };
  }

  // ---- variables -----------------------------------------------------------------------------

  evaluateMappings(mappings: IoMapping[] | undefined, scope: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const m of mappings ?? []) out[m.target] = evaluateFeel(m.source, scope);
    return out;
  }

  /** Output mappings decide what enters the process variables; without them the data merges in. */
  private applyOutputs(node: FlowNode, data: Record<string, unknown>): void {
    if (node.outputs?.length) Object.assign(this.variables, this.evaluateMappings(node.outputs, { ...this.variables, ...data }));
    else Object.assign(this.variables, data);
  }

  // ---- history -------------------------------------------------------------------------------

  private openVisit(token: Token, node: FlowNode): void {
    const visit: VisitRow = {
      id: newId(),
      nodeId: node.id,
      name: node.name ?? null,
      type: node.type,
      enteredAt: this.ctx.now,
      leftAt: null,
      durationMs: null,
      completedBy: null,
      outcome: null,
    };
    this.effects.visitsInserted.push(visit);
    this.openVisits.set(visit.id, visit);
    token.visitId = visit.id;
  }

  /** Closes the token's open visit; a visit opened in this same step is simply completed in memory. */
  closeVisit(token: Token, outcome: VisitOutcome, by: string | null): void {
    const id = token.visitId;
    if (!id) return;
    token.visitId = undefined;
    const leftAt = this.ctx.now;
    const fresh = this.openVisits.get(id);
    if (fresh) {
      fresh.leftAt = leftAt;
      fresh.durationMs = leftAt - fresh.enteredAt;
      fresh.completedBy = by;
      fresh.outcome = outcome;
      this.openVisits.delete(id);
      return;
    }
    this.effects.visitsClosed.push({ id, nodeId: token.nodeId, leftAt, durationMs: leftAt - token.enteredAt, completedBy: by, outcome });
  }
}

/** Raised inside a behaviour when the instance must stop at a node with an incident. */
export class IncidentSignal extends Error {
  override readonly name = 'IncidentSignal';
  constructor(
    readonly nodeId: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isJoin(node: FlowNode): boolean {
  return (node.type === 'parallelGateway' || node.type === 'inclusiveGateway') && node.incoming.length > 1;
}

/**
 * Timers count wall time unless their node (or, for a boundary event, the activity it sits on)
 * carries `loopdesk:workingTime`: then durations count working time of the named calendar.
 */
function durationAdder(exec: Execution, node: FlowNode): AddDuration {
  const host = node.attachedTo ? exec.graph.nodes[node.attachedTo] : undefined;
  const ext = node.loopdesk?.workingTime ? node.loopdesk : host?.loopdesk?.workingTime ? host.loopdesk : undefined;
  if (!ext) return exec.ctx.addDuration;
  const cal = exec.ctx.calendar?.(ext.calendar);
  if (!cal) throw new TimerError(`timer ${node.id} counts working time but calendar "${ext.calendar ?? 'default'}" is not loaded`);
  return (start, iso) => cal.addWallOrWorking(new Date(start), iso, { workingTime: true }).getTime();
}

export function scheduleOrIncident(exec: Execution, node: FlowNode): TimerSchedule {
  try {
    return scheduleTimer(node.timer!, exec.ctx.now, exec.variables, durationAdder(exec, node));
  } catch (err) {
    if (err instanceof TimerError || err instanceof FeelError) throw new IncidentSignal(node.id, 'LD_TIMER_INVALID', err.message);
    throw err;
  }
}
