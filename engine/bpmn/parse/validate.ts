import type { DeployError, FlowNode, NodeType } from '../model.ts';
import { type GraphDraft, noneStartEvents } from './buildGraph.ts';
import { DeployErrorCode, deployError } from './errors.ts';
import { feelSyntaxProblem } from './feel.ts';
import { type BpmnElement, describe } from './moddleElement.ts';
import { timerProblem } from './timer.ts';

export interface RuleContext {
  /** Job types a service task may name: the handlers registered with the engine. */
  serviceHandlers: ReadonlySet<string>;
  /** Elements with a reference moddle could not resolve; already reported, so rules skip them. */
  unresolved: ReadonlySet<BpmnElement>;
}

export interface RuleResult {
  errors: DeployError[];
  warnings: DeployError[];
}

type Rule = (draft: GraphDraft, context: RuleContext, result: RuleResult) => void;

const ACTIVITY_TYPES: NodeType[] = ['userTask', 'serviceTask', 'task', 'manualTask', 'subProcess'];
const BRANCHING_GATEWAYS: NodeType[] = ['exclusiveGateway', 'inclusiveGateway'];

/**
 * The deploy rules, each independent so that every problem in a diagram is reported at once.
 * Rules read the draft only; order matters for nothing but the order of the messages.
 */
const RULES: Rule[] = [
  startEventRule,
  eventFlowRule,
  conditionRule,
  gatewayRule,
  defaultFlowRule,
  boundaryRule,
  timerRule,
  messageRule,
  errorCodeRule,
  serviceTaskRule,
  reachabilityRule,
  assignmentWarningRule,
];

export function validateGraph(draft: GraphDraft, context: RuleContext): RuleResult {
  const result: RuleResult = { errors: [], warnings: [] };
  for (const rule of RULES) rule(draft, context, result);
  return result;
}

function nodesOf(draft: GraphDraft, ...types: NodeType[]): FlowNode[] {
  return Object.values(draft.graph.nodes).filter((node) => types.includes(node.type));
}

function label(draft: GraphDraft, id: string): string {
  const el = draft.elements.get(id);
  return el ? describe(el) : id;
}

function scopeLabel(draft: GraphDraft, scopeId: string | null): string {
  return scopeId === null ? `Process ${describe(draft.process)}` : `Sub-process ${label(draft, scopeId)}`;
}

/** The process and every sub-process start at exactly one none start event. */
function startEventRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const scopeId of draft.startEvents.keys()) {
    const starts = noneStartEvents(draft, scopeId);
    const scopeElementId = scopeId ?? draft.process.id ?? null;
    if (starts.length === 0) {
      const message = `${scopeLabel(draft, scopeId)} has no none start event; add exactly one plain start event.`;
      errors.push(deployError(scopeElementId, DeployErrorCode.noStartEvent, message));
    }
    for (const extra of starts.slice(1)) {
      const message = `${scopeLabel(draft, scopeId)} has ${starts.length} none start events (${starts.join(', ')}); keep exactly one.`;
      errors.push(deployError(extra, DeployErrorCode.multipleStartEvents, message));
    }
  }
}

/** Start and boundary events are entered by the engine, not by flows; end events lead nowhere. */
function eventFlowRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const node of nodesOf(draft, 'startEvent', 'boundaryEvent')) {
    if (node.incoming.length === 0) continue;
    const code = node.type === 'startEvent' ? DeployErrorCode.startEventWithIncoming : DeployErrorCode.boundaryEventWithIncoming;
    const what = node.type === 'startEvent' ? 'Start event' : 'Boundary event';
    errors.push(deployError(node.id, code, `${what} ${label(draft, node.id)} has incoming sequence flows (${node.incoming.join(', ')}).`));
  }
  for (const node of nodesOf(draft, 'endEvent')) {
    if (node.outgoing.length === 0) continue;
    const message = `End event ${label(draft, node.id)} has outgoing sequence flows (${node.outgoing.join(', ')}).`;
    errors.push(deployError(node.id, DeployErrorCode.endEventWithOutgoing, message));
  }
}

/** Conditions must parse as FEEL, and only exclusive and inclusive gateways evaluate them. */
function conditionRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const flow of Object.values(draft.graph.flows)) {
    if (flow.condition === undefined) continue;
    const problem = feelSyntaxProblem(flow.condition);
    if (problem) {
      const message = `Condition of sequence flow ${label(draft, flow.id)} is not valid FEEL: ${problem} in "${flow.condition}".`;
      errors.push(deployError(flow.id, DeployErrorCode.invalidFeel, message));
    }
    const source = draft.graph.nodes[flow.sourceRef];
    if (!source || BRANCHING_GATEWAYS.includes(source.type)) continue;
    const why =
      source.type === 'parallelGateway'
        ? `it leaves parallel gateway ${label(draft, source.id)}, which takes every outgoing flow; use an exclusive or inclusive gateway`
        : `it leaves ${label(draft, source.id)}, which is not a gateway; use a gateway to branch`;
    errors.push(deployError(flow.id, DeployErrorCode.conditionOutsideGateway, `Sequence flow ${label(draft, flow.id)} has a condition, but ${why}.`));
  }
}

/** A diverging exclusive/inclusive gateway must be able to choose: every non-default flow has a condition. */
function gatewayRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const gateway of nodesOf(draft, ...BRANCHING_GATEWAYS)) {
    if (gateway.outgoing.length < 2) continue;
    const missing = gateway.outgoing.filter((id) => id !== gateway.defaultFlow && draft.graph.flows[id]?.condition === undefined);
    if (missing.length === 0) continue;
    const lacking = missing.length === 1 ? `${missing[0]} has no condition` : `${missing.join(', ')} have no condition`;
    const fix = gateway.defaultFlow ? 'add the missing conditions' : 'add conditions, or mark one flow as the default flow';
    const message = `Gateway ${label(draft, gateway.id)} has ${gateway.outgoing.length} outgoing flows, but ${lacking}; ${fix}.`;
    errors.push(deployError(gateway.id, DeployErrorCode.gatewayWithoutCondition, message));
  }
}

/** The default flow must leave its node and, being the "otherwise" branch, carry no condition. */
function defaultFlowRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const node of Object.values(draft.graph.nodes)) {
    const defaultId = draft.elements.get(node.id)?.default?.id;
    if (!defaultId) continue;
    if (!node.outgoing.includes(defaultId)) {
      const message = `Default flow ${defaultId} of ${label(draft, node.id)} is not one of its outgoing sequence flows.`;
      errors.push(deployError(node.id, DeployErrorCode.invalidDefaultFlow, message));
    } else if (draft.graph.flows[defaultId]?.condition !== undefined) {
      const message = `Default flow ${label(draft, defaultId)} has a condition; a default flow is taken when no condition holds, so remove it.`;
      errors.push(deployError(defaultId, DeployErrorCode.invalidDefaultFlow, message));
    }
  }
}

/** Boundary events sit on an activity in the same scope; error boundaries only where errors are thrown. */
function boundaryRule(draft: GraphDraft, context: RuleContext, { errors }: RuleResult): void {
  for (const node of nodesOf(draft, 'boundaryEvent')) {
    const el = draft.elements.get(node.id);
    const hostId = node.attachedTo;
    if (!hostId) {
      if (!el || !context.unresolved.has(el)) {
        errors.push(deployError(node.id, DeployErrorCode.boundaryNotAttached, `Boundary event ${label(draft, node.id)} is not attached to an activity.`));
      }
      continue;
    }
    if (draft.unsupported.has(hostId)) continue;
    const host = draft.graph.nodes[hostId];
    const problem = hostProblem(draft, node, host);
    if (problem) {
      errors.push(deployError(node.id, DeployErrorCode.boundaryInvalidHost, `Boundary event ${label(draft, node.id)} ${problem}.`));
      continue;
    }
    if (node.eventKind === 'error' && host.type !== 'subProcess' && host.type !== 'serviceTask') {
      const message = `Error boundary event ${label(draft, node.id)} is attached to ${label(draft, hostId)}; errors are only thrown by sub-processes and service tasks.`;
      errors.push(deployError(node.id, DeployErrorCode.errorBoundaryInvalidHost, message));
    }
  }
}

function hostProblem(draft: GraphDraft, boundary: FlowNode, host: FlowNode | undefined): string | null {
  const hostId = boundary.attachedTo as string;
  if (!host) return `is attached to ${hostId}, which is not an activity of process ${draft.process.id}`;
  if (!ACTIVITY_TYPES.includes(host.type)) return `is attached to ${label(draft, hostId)}, which is not an activity`;
  if (host.scopeId !== boundary.scopeId) return `and its activity ${label(draft, hostId)} are not in the same (sub-)process`;
  return null;
}

function timerRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  for (const node of Object.values(draft.graph.nodes)) {
    if (node.eventKind !== 'timer') continue;
    const problem = timerDefinitionProblem(draft, node);
    if (problem) errors.push(deployError(node.id, problem.code, `Timer of ${label(draft, node.id)}: ${problem.message}.`));
  }
}

function timerDefinitionProblem(draft: GraphDraft, node: FlowNode): { code: DeployErrorCode; message: string } | null {
  const definition = draft.elements.get(node.id)?.eventDefinitions?.[0];
  const given = [definition?.timeDuration, definition?.timeDate, definition?.timeCycle].filter((e) => e !== undefined);
  if (given.length > 1) return { code: DeployErrorCode.invalidTimer, message: 'set only one of timeDuration, timeDate and timeCycle' };
  const timer = node.timer;
  if (!timer) return { code: DeployErrorCode.invalidTimer, message: 'it has no timeDuration, timeDate or timeCycle value' };
  if (timer.expression.startsWith('=')) {
    const problem = feelSyntaxProblem(timer.expression.slice(1));
    return problem ? { code: DeployErrorCode.invalidFeel, message: `${problem} in FEEL expression "${timer.expression}"` } : null;
  }
  const problem = timerProblem(timer.kind, timer.expression);
  return problem ? { code: DeployErrorCode.invalidTimer, message: problem } : null;
}

/** Messages are correlated by name (and the instance's business key); without a name nothing arrives. */
function messageRule(draft: GraphDraft, context: RuleContext, { errors }: RuleResult): void {
  for (const node of Object.values(draft.graph.nodes)) {
    if (node.eventKind !== 'message' || node.messageName) continue;
    const definition = draft.elements.get(node.id)?.eventDefinitions?.[0];
    if (definition && context.unresolved.has(definition)) continue;
    const message = `Message event ${label(draft, node.id)} has no message name; reference a bpmn:message with a name.`;
    errors.push(deployError(node.id, DeployErrorCode.missingMessageName, message));
  }
}

/** An error end event throws a code for a boundary event to catch; it cannot throw nothing. */
function errorCodeRule(draft: GraphDraft, context: RuleContext, { errors }: RuleResult): void {
  for (const node of nodesOf(draft, 'endEvent')) {
    if (node.eventKind !== 'error' || node.errorCode) continue;
    const definition = draft.elements.get(node.id)?.eventDefinitions?.[0];
    if (definition && context.unresolved.has(definition)) continue;
    const message = `Error end event ${label(draft, node.id)} throws no error code; reference a bpmn:error with an errorCode.`;
    errors.push(deployError(node.id, DeployErrorCode.missingErrorCode, message));
  }
}

/** Service tasks run registered handlers only, so a typo fails the deploy, not the first case. */
function serviceTaskRule(draft: GraphDraft, { serviceHandlers }: RuleContext, { errors }: RuleResult): void {
  const known = serviceHandlers.size > 0 ? [...serviceHandlers].join(', ') : 'none are registered';
  for (const node of nodesOf(draft, 'serviceTask')) {
    if (!node.taskType) {
      const message = `Service task ${label(draft, node.id)} has no job type; set zeebe:taskDefinition type to a handler (${known}).`;
      errors.push(deployError(node.id, DeployErrorCode.missingTaskType, message));
    } else if (!serviceHandlers.has(node.taskType)) {
      const message = `Service task ${label(draft, node.id)} uses handler "${node.taskType}", which is not registered (${known}).`;
      errors.push(deployError(node.id, DeployErrorCode.unknownHandler, message));
    }
  }
}

/**
 * Every node must be reachable from a start event through sequence flows, boundary attachment
 * and sub-process content. Unsupported nodes count as passable, so their error is not followed
 * by unreachable errors for everything after them.
 */
function reachabilityRule(draft: GraphDraft, _context: RuleContext, { errors }: RuleResult): void {
  const visited = reachableFrom(draft, draft.startEvents.get(null) ?? []);
  for (const [id, scopeId] of draft.scopeOf) {
    if (visited.has(id) || draft.unsupported.has(id)) continue;
    // A scope without a start event, or one that is itself unreachable, is reported once, on the scope.
    if ((draft.startEvents.get(scopeId) ?? []).length === 0) continue;
    if (scopeId !== null && !visited.has(scopeId)) continue;
    // Boundary events are reached through their activity; a detached one is reported as such.
    if (draft.elements.get(id)?.$type === 'bpmn:BoundaryEvent') continue;
    const where = scopeId === null ? 'the process' : `sub-process ${label(draft, scopeId)}`;
    const message = `${label(draft, id)} cannot be reached from the start event of ${where}.`;
    errors.push(deployError(id, DeployErrorCode.unreachableNode, message));
  }
}

function reachableFrom(draft: GraphDraft, roots: string[]): Set<string> {
  const next = successors(draft);
  const visited = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (visited.has(id)) continue;
    visited.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  return visited;
}

/** Where the engine can go from each node: flow targets, attached boundary events, a sub-process's start. */
function successors(draft: GraphDraft): Map<string, string[]> {
  const next = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    const targets = next.get(from);
    if (targets) targets.push(to);
    else next.set(from, [to]);
  };
  for (const flow of Object.values(draft.graph.flows)) add(flow.sourceRef, flow.targetRef);
  // Unsupported boundary events count too, so what follows them is not reported as unreachable.
  for (const [id, el] of draft.elements) {
    const hostId = el.$type === 'bpmn:BoundaryEvent' ? el.attachedToRef?.id : undefined;
    if (hostId) add(hostId, id);
  }
  for (const [scopeId, starts] of draft.startEvents) if (scopeId !== null) for (const start of starts) add(scopeId, start);
  return next;
}

/** A user task nobody is assigned to or may claim waits in no one's list. */
function assignmentWarningRule(draft: GraphDraft, _context: RuleContext, { warnings }: RuleResult): void {
  for (const node of nodesOf(draft, 'userTask')) {
    const { assignee, candidateGroups, candidateUsers } = node.assignment ?? {};
    if (assignee || candidateGroups || candidateUsers || node.loopdesk?.dispatch) continue;
    const message = `User task ${label(draft, node.id)} has no assignee, candidate groups or dispatch strategy; only administrators will see it.`;
    warnings.push(deployError(node.id, DeployErrorCode.userTaskUnassigned, message));
  }
}
