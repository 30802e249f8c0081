import type { DeployError } from '../model.ts';

/**
 * Stable codes of deploy errors and warnings. Callers (the deploy API, the designer's problem
 * panel) branch on these; messages may change wording, codes may not.
 */
export const DeployErrorCode = {
  /** The XML is not well-formed, or not a BPMN definitions document. */
  invalidXml: 'LD_BPMN_INVALID_XML',
  /** DOCTYPE / ENTITY declarations: refused before parsing (entity-expansion bombs). */
  doctypeNotAllowed: 'LD_BPMN_DOCTYPE_NOT_ALLOWED',
  /** An element in a known namespace (bpmn:, zeebe:, loopdesk:) that the schema does not define there. */
  unknownElement: 'LD_BPMN_UNKNOWN_ELEMENT',
  /** A reference (sourceRef, messageRef, attachedToRef, …) to an id that is not in the document. */
  unresolvedReference: 'LD_BPMN_UNRESOLVED_REFERENCE',
  duplicateId: 'LD_BPMN_DUPLICATE_ID',
  missingId: 'LD_BPMN_MISSING_ID',
  noExecutableProcess: 'LD_BPMN_NO_EXECUTABLE_PROCESS',
  unsupportedElement: 'LD_BPMN_UNSUPPORTED_ELEMENT',
  noStartEvent: 'LD_BPMN_NO_START_EVENT',
  multipleStartEvents: 'LD_BPMN_MULTIPLE_START_EVENTS',
  missingSource: 'LD_BPMN_MISSING_SOURCE',
  missingTarget: 'LD_BPMN_MISSING_TARGET',
  flowCrossesScope: 'LD_BPMN_FLOW_CROSSES_SCOPE',
  startEventWithIncoming: 'LD_BPMN_START_EVENT_WITH_INCOMING',
  endEventWithOutgoing: 'LD_BPMN_END_EVENT_WITH_OUTGOING',
  boundaryEventWithIncoming: 'LD_BPMN_BOUNDARY_EVENT_WITH_INCOMING',
  gatewayWithoutCondition: 'LD_BPMN_GATEWAY_WITHOUT_CONDITION',
  conditionOutsideGateway: 'LD_BPMN_CONDITION_OUTSIDE_GATEWAY',
  invalidDefaultFlow: 'LD_BPMN_INVALID_DEFAULT_FLOW',
  unreachableNode: 'LD_BPMN_UNREACHABLE_NODE',
  invalidFeel: 'LD_BPMN_INVALID_FEEL',
  invalidTimer: 'LD_BPMN_INVALID_TIMER',
  missingTaskType: 'LD_BPMN_MISSING_TASK_TYPE',
  unknownHandler: 'LD_BPMN_UNKNOWN_HANDLER',
  invalidRetries: 'LD_BPMN_INVALID_RETRIES',
  boundaryNotAttached: 'LD_BPMN_BOUNDARY_NOT_ATTACHED',
  boundaryInvalidHost: 'LD_BPMN_BOUNDARY_INVALID_HOST',
  errorBoundaryInvalidHost: 'LD_BPMN_ERROR_BOUNDARY_INVALID_HOST',
  missingMessageName: 'LD_BPMN_MISSING_MESSAGE_NAME',
  missingErrorCode: 'LD_BPMN_MISSING_ERROR_CODE',
  invalidExtension: 'LD_BPMN_INVALID_EXTENSION',
  /** A bug in the parser itself; the diagram may be fine. */
  internalError: 'LD_BPMN_INTERNAL_ERROR',

  // Warnings: the diagram deploys, but probably not as the modeller meant.
  unknownAttribute: 'LD_BPMN_UNKNOWN_ATTRIBUTE',
  userTaskUnassigned: 'LD_BPMN_USER_TASK_UNASSIGNED',
  unknownDispatchStrategy: 'LD_BPMN_UNKNOWN_DISPATCH_STRATEGY',
} as const;

export type DeployErrorCode = (typeof DeployErrorCode)[keyof typeof DeployErrorCode];

export function deployError(elementId: string | null, code: DeployErrorCode, message: string): DeployError {
  return { elementId, code, message };
}

/** One problem reported twice (by moddle and by a graph rule) is shown once. */
export function dedupe(errors: DeployError[]): DeployError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.elementId}\u0000${error.code}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
