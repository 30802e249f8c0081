import type { DeployError, FlowNode, ProcessGraph, SequenceFlow, TimerDefinition } from '../model.ts';
import { DeployErrorCode, deployError } from './errors.ts';
import { readNodeExtensions, readProcessExtensions } from './extensions.ts';
import { stripFeelMarker } from './feel.ts';
import { type BpmnElement, attr, bodyOf, describe } from './moddleElement.ts';
import { classifyNode } from './support.ts';

/**
 * A process read from moddle but not yet validated. Unsupported nodes are kept aside rather
 * than dropped, so flows into them and paths through them do not cause follow-up errors
 * (missing target, unreachable node) that would bury the one error that matters.
 */
export interface GraphDraft {
  process: BpmnElement;
  graph: ProcessGraph;
  /** Every flow node of the process, supported or not, with its scope (null = process level). */
  scopeOf: Map<string, string | null>;
  /** Unsupported flow nodes (already reported), by id. */
  unsupported: Set<string>;
  /** Start events of every kind per scope (null = process level, else the sub-process id). */
  startEvents: Map<string | null, string[]>;
  /** The moddle element behind each node and flow id, for rules that need raw XML detail. */
  elements: Map<string, BpmnElement>;
  errors: DeployError[];
  warnings: DeployError[];
}

/**
 * Builds the graph of one process: nodes (nested sub-process content included), flows,
 * boundary links and extensions. Reports problems found while reading; the graph rules
 * (validate.ts) run afterwards on the whole draft.
 */
export function buildGraph(process: BpmnElement, unresolved: Set<BpmnElement>): GraphDraft {
  const draft: GraphDraft = {
    process,
    graph: { key: process.id ?? '', startEventId: '', nodes: {}, flows: {} },
    scopeOf: new Map(),
    unsupported: new Set(),
    startEvents: new Map([[null, []]]),
    elements: new Map(),
    errors: [],
    warnings: [],
  };
  const name = attr(process, 'name');
  if (name) draft.graph.name = name;
  const loopdesk = readProcessExtensions(process);
  if (loopdesk) draft.graph.loopdesk = loopdesk;

  const flowElements: Array<{ el: BpmnElement; scopeId: string | null }> = [];
  collectNodes(process, null, draft, flowElements);
  for (const { el, scopeId } of flowElements) addFlow(el, scopeId, draft, unresolved);
  linkBoundaryEvents(draft);
  linkDefaultFlows(draft);

  draft.graph.startEventId = noneStartEvents(draft, null)[0] ?? '';
  return draft;
}

/** The start events of a scope the engine can start from: supported start events are none events. */
export function noneStartEvents(draft: GraphDraft, scopeId: string | null): string[] {
  return (draft.startEvents.get(scopeId) ?? []).filter((id) => draft.graph.nodes[id] !== undefined);
}

/** Walks a container's flow elements; sequence flows are gathered and added once all nodes exist. */
function collectNodes(
  container: BpmnElement,
  scopeId: string | null,
  draft: GraphDraft,
  flows: Array<{ el: BpmnElement; scopeId: string | null }>,
): void {
  for (const el of container.flowElements ?? []) {
    const isFlow = el.$instanceOf('bpmn:SequenceFlow');
    // Data objects and data store references are flow elements, but carry no control flow.
    if (!isFlow && !el.$instanceOf('bpmn:FlowNode')) continue;
    if (!el.id) {
      draft.errors.push(deployError(null, DeployErrorCode.missingId, `${el.$type} ${describe(el)} in ${scopeId ?? container.id} has no id.`));
      continue;
    }
    draft.elements.set(el.id, el);
    if (isFlow) flows.push({ el, scopeId });
    else addNode(el, el.id, scopeId, draft, flows);
  }
}

function addNode(
  el: BpmnElement,
  id: string,
  scopeId: string | null,
  draft: GraphDraft,
  flows: Array<{ el: BpmnElement; scopeId: string | null }>,
): void {
  draft.scopeOf.set(id, scopeId);
  const classification = classifyNode(el);
  if (el.$type === 'bpmn:StartEvent') draft.startEvents.get(scopeId)?.push(id);
  if (!classification.supported) {
    draft.unsupported.add(id);
    draft.errors.push(...classification.errors);
    return;
  }

  const name = attr(el, 'name');
  const node: FlowNode = {
    id,
    ...(name ? { name } : {}),
    type: classification.type,
    scopeId,
    incoming: [],
    outgoing: [],
    boundaryEvents: [],
  };
  if (classification.eventKind) node.eventKind = classification.eventKind;
  readEventDefinition(el, node);
  if (node.type === 'boundaryEvent') node.cancelActivity = el.cancelActivity !== false;

  const extensions = readNodeExtensions(el, node.type);
  Object.assign(node, extensions.fields);
  draft.errors.push(...extensions.errors);
  draft.warnings.push(...extensions.warnings);
  draft.graph.nodes[id] = node;

  if (node.type === 'subProcess') {
    draft.startEvents.set(id, []);
    collectNodes(el, id, draft, flows);
    const startEventId = noneStartEvents(draft, id)[0];
    if (startEventId !== undefined) node.startEventId = startEventId;
  }
}

/** Timer, message and error details; which of them is allowed where is checked by the rules. */
function readEventDefinition(el: BpmnElement, node: FlowNode): void {
  const definition = el.eventDefinitions?.[0] ?? el.eventDefinitionRef?.[0];
  if (!definition) return;
  if (node.eventKind === 'timer') {
    const timer = timerOf(definition);
    if (timer) node.timer = timer;
  }
  if (node.eventKind === 'message') {
    const messageName = attr(definition.messageRef, 'name');
    if (messageName) node.messageName = messageName;
  }
  if (node.eventKind === 'error') {
    const errorCode = attr(definition.errorRef, 'errorCode');
    if (errorCode) node.errorCode = errorCode;
  }
}

/** The first of timeDuration / timeDate / timeCycle that has a body; the rules report the rest. */
function timerOf(definition: BpmnElement): TimerDefinition | undefined {
  const candidates: Array<[TimerDefinition['kind'], BpmnElement | undefined]> = [
    ['duration', definition.timeDuration],
    ['date', definition.timeDate],
    ['cycle', definition.timeCycle],
  ];
  for (const [kind, expression] of candidates) {
    const body = bodyOf(expression);
    if (body !== undefined) return { kind, expression: body };
  }
  return undefined;
}

function addFlow(el: BpmnElement, scopeId: string | null, draft: GraphDraft, unresolved: Set<BpmnElement>): void {
  const id = el.id as string;
  const source = endOf(el, 'source', scopeId, draft, unresolved);
  const target = endOf(el, 'target', scopeId, draft, unresolved);
  if (source === null || target === null) return;

  const name = attr(el, 'name');
  const flow: SequenceFlow = { id, ...(name ? { name } : {}), sourceRef: source, targetRef: target };
  // An empty <conditionExpression/> is what tools write for "no condition yet"; treat it as none.
  const body = bodyOf(el.conditionExpression);
  const condition = body === undefined ? undefined : stripFeelMarker(body);
  if (condition) flow.condition = condition;
  draft.graph.flows[id] = flow;

  draft.graph.nodes[source]?.outgoing.push(id);
  draft.graph.nodes[target]?.incoming.push(id);
}

/** The id of a flow's source or target node, or null (and an error) when it cannot be used. */
function endOf(
  el: BpmnElement,
  end: 'source' | 'target',
  scopeId: string | null,
  draft: GraphDraft,
  unresolved: Set<BpmnElement>,
): string | null {
  const code = end === 'source' ? DeployErrorCode.missingSource : DeployErrorCode.missingTarget;
  const ref = end === 'source' ? el.sourceRef : el.targetRef;
  const id = el.id as string;
  if (!ref?.id) {
    // An unresolvable id was already reported while reading the XML.
    if (!unresolved.has(el)) draft.errors.push(deployError(id, code, `Sequence flow ${id} has no ${end}.`));
    return null;
  }
  if (!draft.scopeOf.has(ref.id)) {
    const message = `Sequence flow ${id} has ${end} ${describe(ref)}, which is not a flow node of process ${draft.process.id}.`;
    draft.errors.push(deployError(id, code, message));
    return null;
  }
  const endScope = draft.scopeOf.get(ref.id) ?? null;
  if (endScope !== scopeId) {
    const inside = (scope: string | null) => (scope === null ? 'the process level' : `sub-process ${scope}`);
    const message = `Sequence flow ${id} in ${inside(scopeId)} connects to ${ref.id} in ${inside(endScope)}; sequence flows cannot cross a sub-process border.`;
    draft.errors.push(deployError(id, DeployErrorCode.flowCrossesScope, message));
    return null;
  }
  return ref.id;
}

/** Links boundary events and their activities both ways, in document order. */
function linkBoundaryEvents(draft: GraphDraft): void {
  for (const node of Object.values(draft.graph.nodes)) {
    if (node.type !== 'boundaryEvent') continue;
    const hostId = draft.elements.get(node.id)?.attachedToRef?.id;
    if (!hostId) continue;
    node.attachedTo = hostId;
    draft.graph.nodes[hostId]?.boundaryEvents.push(node.id);
  }
}

/** Default flows that really leave their node; the rules report the others. */
function linkDefaultFlows(draft: GraphDraft): void {
  for (const node of Object.values(draft.graph.nodes)) {
    const defaultId = draft.elements.get(node.id)?.default?.id;
    if (defaultId && node.outgoing.includes(defaultId)) node.defaultFlow = defaultId;
  }
}
