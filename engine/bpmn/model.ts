/**
 * The executable shape of a BPMN process: what the parser produces from bpmn-moddle's tree and
 * what the executor walks. Immutable after deploy and serialisable as JSON, so a deployed version
 * is parsed once and stored beside its XML.
 */

export type NodeType =
  | 'startEvent'
  | 'endEvent'
  | 'intermediateCatchEvent'
  | 'intermediateThrowEvent'
  | 'boundaryEvent'
  | 'userTask'
  | 'serviceTask'
  | 'task'
  | 'manualTask'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'inclusiveGateway'
  | 'subProcess';

/** The event definition an event carries; `none` when it has none. */
export type EventKind = 'none' | 'timer' | 'message' | 'error' | 'terminate';

export interface TimerDefinition {
  /** timeDuration (PT2H), timeDate (2026-05-01T09:00:00+08:00) or timeCycle (R3/PT1H). */
  kind: 'duration' | 'date' | 'cycle';
  /** The literal ISO 8601 text, or a FEEL expression starting with `=` evaluated when the timer is armed. */
  expression: string;
}

export interface IoMapping {
  source: string;
  target: string;
}

export interface AssignmentDefinition {
  /** A user name, or a FEEL expression starting with `=`. */
  assignee?: string;
  /** Team or department names (a comma list in the XML), or one FEEL expression starting with `=`. */
  candidateGroups?: string[] | string;
  candidateUsers?: string[] | string;
}

/** Loopdesk's own additions, read from the `loopdesk:` moddle extension. */
export interface LoopdeskNodeExtension {
  slaPolicy?: string;
  calendar?: string;
  /** Assignment strategy name (explicit, group, round-robin, least-loaded, skills) and its options. */
  dispatch?: { strategy: string; skills?: string[]; location?: string };
  /** Timers on this node count working time of the calendar rather than wall time. */
  workingTime?: boolean;
}

export interface FlowNode {
  id: string;
  name?: string;
  type: NodeType;
  /** Id of the enclosing sub-process, or null at process level. */
  scopeId: string | null;
  /** Sequence flow ids, in document order. */
  incoming: string[];
  outgoing: string[];
  /** Gateways and activities: the default sequence flow id. */
  defaultFlow?: string;

  /** Events: which event definition they carry. */
  eventKind?: EventKind;
  timer?: TimerDefinition;
  /** Message events: the message name; correlation is by the instance's business key. */
  messageName?: string;
  /** Error events: the error code thrown (end) or caught (boundary); undefined on a boundary catches all. */
  errorCode?: string;

  /** Boundary events: the activity they sit on and whether they interrupt it. */
  attachedTo?: string;
  cancelActivity?: boolean;
  /** Activities: ids of the boundary events attached to them. */
  boundaryEvents: string[];

  /** Sub-processes: the id of their one none start event. */
  startEventId?: string;

  /** User tasks. */
  formId?: string;
  assignment?: AssignmentDefinition;
  schedule?: { dueDate?: string; followUpDate?: string };

  /** Service tasks: the handler name (zeebe:taskDefinition type) and its static headers. */
  taskType?: string;
  taskHeaders?: Record<string, string>;
  retries?: number;

  inputs?: IoMapping[];
  outputs?: IoMapping[];

  loopdesk?: LoopdeskNodeExtension;
}

export interface SequenceFlow {
  id: string;
  name?: string;
  sourceRef: string;
  targetRef: string;
  /** FEEL expression without the leading `=`; undefined for an unconditional flow. */
  condition?: string;
}

export interface ProcessGraph {
  /** The BPMN process id; deploying the same key again makes a new version. */
  key: string;
  name?: string;
  /** The process-level none start event. */
  startEventId: string;
  nodes: Record<string, FlowNode>;
  flows: Record<string, SequenceFlow>;
  /** Process-level `loopdesk:` settings (case number format, calendar, SLA policy). */
  loopdesk?: { caseNumberFormat?: string; calendar?: string; slaPolicy?: string };
}

/** A reason a diagram cannot be deployed, pointing at the element at fault. */
export interface DeployError {
  elementId: string | null;
  message: string;
  code: string;
}
