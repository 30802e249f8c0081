import type {
  AssignmentDefinition,
  DeployError,
  FlowNode,
  IoMapping,
  LoopdeskNodeExtension,
  NodeType,
  ProcessGraph,
} from '../model.ts';
import { DeployErrorCode, deployError } from './errors.ts';
import { type BpmnElement, attr, extension } from './moddleElement.ts';

/** Strategies engine/dispatch knows; others deploy with a warning, as a newer dispatcher may add some. */
const DISPATCH_STRATEGIES = ['explicit', 'group', 'round-robin', 'least-loaded', 'skills'];

export interface ExtensionRead {
  fields: Partial<FlowNode>;
  errors: DeployError[];
  warnings: DeployError[];
}

/**
 * Reads `zeebe:` (as the Camunda 8 modeler writes them) and `loopdesk:` extension elements of a
 * flow node into FlowNode fields. Extensions that do not apply to the node's type are ignored,
 * as Camunda ignores them, rather than rejected.
 */
export function readNodeExtensions(el: BpmnElement, type: NodeType): ExtensionRead {
  const read: ExtensionRead = { fields: {}, errors: [], warnings: [] };
  const id = el.id ?? null;

  if (type === 'userTask') Object.assign(read.fields, userTaskFields(el));
  // A start event's form is what a new case is opened with (Camunda 8 start forms).
  if (type === 'startEvent') {
    const form = extension(el, 'zeebe:FormDefinition');
    const formId = attr(form, 'formId') ?? attr(form, 'formKey');
    if (formId) read.fields.formId = formId;
  }
  if (type === 'serviceTask') readServiceTask(el, id, read);
  readIoMapping(el, id, read);
  readLoopdesk(el, id, read);
  return read;
}

function userTaskFields(el: BpmnElement): Partial<FlowNode> {
  const fields: Partial<FlowNode> = {};
  const form = extension(el, 'zeebe:FormDefinition');
  const formId = attr(form, 'formId') ?? attr(form, 'formKey');
  if (formId) fields.formId = formId;

  const assignment = assignmentOf(extension(el, 'zeebe:AssignmentDefinition'));
  if (assignment) fields.assignment = assignment;

  const scheduleEl = extension(el, 'zeebe:TaskSchedule');
  const schedule = compact({ dueDate: attr(scheduleEl, 'dueDate'), followUpDate: attr(scheduleEl, 'followUpDate') });
  if (schedule) fields.schedule = schedule;
  return fields;
}

function assignmentOf(el: BpmnElement | undefined): AssignmentDefinition | undefined {
  if (!el) return undefined;
  return compact({
    assignee: attr(el, 'assignee'),
    candidateGroups: listOrExpression(attr(el, 'candidateGroups')),
    candidateUsers: listOrExpression(attr(el, 'candidateUsers')),
  });
}

/** `sales, support` → ['sales', 'support']; `=customer.team` stays one expression to evaluate later. */
function listOrExpression(value: string | undefined): string[] | string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('=')) return value;
  const items = splitList(value);
  return items.length > 0 ? items : undefined;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function readServiceTask(el: BpmnElement, id: string | null, read: ExtensionRead): void {
  const definition = extension(el, 'zeebe:TaskDefinition');
  const taskType = attr(definition, 'type');
  if (taskType) read.fields.taskType = taskType;

  const retries = attr(definition, 'retries');
  if (retries !== undefined) {
    if (/^\d+$/.test(retries)) read.fields.retries = Number(retries);
    else read.errors.push(deployError(id, DeployErrorCode.invalidRetries, `Retries "${retries}" of service task ${id} must be a whole number such as 3.`));
  }

  const headers = extension(el, 'zeebe:TaskHeaders')?.values ?? [];
  const taskHeaders: Record<string, string> = {};
  for (const header of headers) {
    const key = attr(header, 'key');
    if (key === undefined) {
      read.errors.push(deployError(id, DeployErrorCode.invalidExtension, `A task header of service task ${id} has no key.`));
      continue;
    }
    taskHeaders[key] = typeof header.value === 'string' ? header.value : '';
  }
  if (headers.length > 0) read.fields.taskHeaders = taskHeaders;
}

function readIoMapping(el: BpmnElement, id: string | null, read: ExtensionRead): void {
  const mapping = extension(el, 'zeebe:IoMapping');
  if (!mapping) return;
  const inputs = ioParameters(mapping.inputParameters, 'input', id, read);
  const outputs = ioParameters(mapping.outputParameters, 'output', id, read);
  if (inputs.length > 0) read.fields.inputs = inputs;
  if (outputs.length > 0) read.fields.outputs = outputs;
}

function ioParameters(value: unknown, direction: string, id: string | null, read: ExtensionRead): IoMapping[] {
  const parameters = Array.isArray(value) ? (value as BpmnElement[]) : [];
  const mappings: IoMapping[] = [];
  for (const parameter of parameters) {
    const source = attr(parameter, 'source');
    const target = attr(parameter, 'target');
    if (source === undefined || target === undefined) {
      const missing = source === undefined ? 'source' : 'target';
      read.errors.push(deployError(id, DeployErrorCode.invalidExtension, `An ${direction} mapping of ${id} has no ${missing}.`));
      continue;
    }
    mappings.push({ source, target });
  }
  return mappings;
}

function readLoopdesk(el: BpmnElement, id: string | null, read: ExtensionRead): void {
  const sla = extension(el, 'loopdesk:Sla');
  const workingTime = extension(el, 'loopdesk:WorkingTime');
  const loopdesk: LoopdeskNodeExtension = {};

  const slaPolicy = attr(sla, 'policy');
  if (slaPolicy) loopdesk.slaPolicy = slaPolicy;
  // One calendar per node: the timer calendar when given, else the SLA's.
  const calendar = attr(workingTime, 'calendar') ?? attr(sla, 'calendar');
  if (calendar) loopdesk.calendar = calendar;
  if (workingTime) loopdesk.workingTime = true;

  const dispatch = dispatchOf(extension(el, 'loopdesk:Dispatch'), id, read);
  if (dispatch) loopdesk.dispatch = dispatch;

  if (Object.keys(loopdesk).length > 0) read.fields.loopdesk = loopdesk;
}

function dispatchOf(el: BpmnElement | undefined, id: string | null, read: ExtensionRead): LoopdeskNodeExtension['dispatch'] {
  if (!el) return undefined;
  const strategy = attr(el, 'strategy');
  if (!strategy) {
    read.errors.push(deployError(id, DeployErrorCode.invalidExtension, `loopdesk:dispatch on ${id} needs a strategy (${DISPATCH_STRATEGIES.join(', ')}).`));
    return undefined;
  }
  if (!DISPATCH_STRATEGIES.includes(strategy)) {
    const message = `Dispatch strategy "${strategy}" on ${id} is not one of ${DISPATCH_STRATEGIES.join(', ')}.`;
    read.warnings.push(deployError(id, DeployErrorCode.unknownDispatchStrategy, message));
  }
  const skills = attr(el, 'skills');
  const location = attr(el, 'location');
  return { strategy, ...(skills ? { skills: splitList(skills) } : {}), ...(location ? { location } : {}) };
}

/** Process-level `loopdesk:caseNumber` and `loopdesk:processSettings`. */
export function readProcessExtensions(process: BpmnElement): ProcessGraph['loopdesk'] {
  const settings = extension(process, 'loopdesk:ProcessSettings');
  return compact({
    caseNumberFormat: attr(extension(process, 'loopdesk:CaseNumber'), 'format'),
    calendar: attr(settings, 'calendar'),
    slaPolicy: attr(settings, 'slaPolicy'),
  });
}

/** Drops undefined fields; undefined when nothing is left, so absent settings stay absent. */
function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}
