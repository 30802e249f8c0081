import type { DeployError, EventKind, NodeType } from '../model.ts';
import { DeployErrorCode, deployError } from './errors.ts';
import { type BpmnElement, describe } from './moddleElement.ts';

/**
 * What the engine executes. Everything else a BPMN document may contain is rejected at deploy
 * with an error naming the element, so a diagram never deploys with parts that would silently
 * do nothing at run time.
 */
const ACTIVITIES: Record<string, NodeType> = {
  'bpmn:UserTask': 'userTask',
  'bpmn:ServiceTask': 'serviceTask',
  'bpmn:Task': 'task',
  'bpmn:ManualTask': 'manualTask',
  'bpmn:SubProcess': 'subProcess',
};

const GATEWAYS: Record<string, NodeType> = {
  'bpmn:ExclusiveGateway': 'exclusiveGateway',
  'bpmn:ParallelGateway': 'parallelGateway',
  'bpmn:InclusiveGateway': 'inclusiveGateway',
};

const EVENTS: Record<string, { type: NodeType; kinds: EventKind[] }> = {
  'bpmn:StartEvent': { type: 'startEvent', kinds: ['none'] },
  'bpmn:EndEvent': { type: 'endEvent', kinds: ['none', 'terminate', 'error'] },
  'bpmn:IntermediateCatchEvent': { type: 'intermediateCatchEvent', kinds: ['timer', 'message'] },
  'bpmn:IntermediateThrowEvent': { type: 'intermediateThrowEvent', kinds: ['none'] },
  'bpmn:BoundaryEvent': { type: 'boundaryEvent', kinds: ['timer', 'error', 'message'] },
};

const EVENT_DEFINITIONS: Record<string, EventKind> = {
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:TerminateEventDefinition': 'terminate',
};

const SUPPORTED_SUMMARY = [
  ...Object.entries(EVENTS).map(([type, { kinds }]) => `${type} (${kinds.join(', ')})`),
  ...Object.keys(ACTIVITIES),
  ...Object.keys(GATEWAYS),
].join(', ');

export type Classification =
  | { supported: true; type: NodeType; eventKind?: EventKind }
  | { supported: false; errors: DeployError[] };

/** Decides whether the engine can execute a flow node, and as which NodeType. */
export function classifyNode(el: BpmnElement): Classification {
  if (el.$type in EVENTS) return classifyEvent(el);
  const type = ACTIVITIES[el.$type] ?? GATEWAYS[el.$type];
  if (!type) return unsupported(el, `${el.$type} is not supported; supported: ${SUPPORTED_SUMMARY}`);

  const variantProblems = activityVariantProblems(el);
  if (variantProblems.length > 0) return { supported: false, errors: variantProblems.map((m) => unsupportedError(el, m)) };
  return { supported: true, type };
}

/** Supported activity types can still carry behaviour the engine does not implement. */
function activityVariantProblems(el: BpmnElement): string[] {
  const problems: string[] = [];
  if (el.loopCharacteristics) {
    problems.push(`${el.loopCharacteristics.$type} on ${el.$type} ${describe(el)} is not supported; model the repetition with a gateway loop`);
  }
  if (el.isForCompensation === true) {
    problems.push(`Compensation activities (${el.$type} with isForCompensation) are not supported`);
  }
  if (el.$type === 'bpmn:SubProcess' && el.triggeredByEvent === true) {
    problems.push('bpmn:SubProcess with triggeredByEvent (event sub-process) is not supported; use boundary events on a sub-process');
  }
  return problems;
}

function classifyEvent(el: BpmnElement): Classification {
  const { type, kinds } = EVENTS[el.$type];
  const definitions = [...(el.eventDefinitions ?? []), ...(el.eventDefinitionRef ?? [])];
  const allowed = `supported on ${el.$type}: ${kinds.join(', ')}`;

  if (definitions.length > 1) {
    const types = definitions.map((d) => d.$type).join(' + ');
    return unsupported(el, `${el.$type} with several event definitions (${types}) is not supported; ${allowed}`);
  }
  const definition = definitions[0];
  const kind: EventKind | undefined = definition ? EVENT_DEFINITIONS[definition.$type] : 'none';
  if (kind === undefined || !kinds.includes(kind)) {
    const what = definition ? `${el.$type} with ${definition.$type}` : `${el.$type} without an event definition`;
    return unsupported(el, `${what} is not supported; ${allowed}`);
  }
  if (type === 'boundaryEvent' && kind === 'error' && el.cancelActivity === false) {
    return unsupported(el, 'A non-interrupting error boundary event is not supported (BPMN errors always interrupt)');
  }
  return { supported: true, type, eventKind: kind };
}

function unsupported(el: BpmnElement, message: string): Classification {
  return { supported: false, errors: [unsupportedError(el, message)] };
}

function unsupportedError(el: BpmnElement, message: string): DeployError {
  return deployError(el.id ?? null, DeployErrorCode.unsupportedElement, message);
}
