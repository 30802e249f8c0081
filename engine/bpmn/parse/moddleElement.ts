import type { ModdleElement } from 'bpmn-moddle';

/**
 * The properties of bpmn-moddle elements the parser reads, under bpmn-moddle's own names.
 * One loose shape rather than one interface per BPMN type: the parser checks `$type` anyway,
 * and every property may be missing in hand-written or foreign XML.
 */
export interface BpmnElement extends ModdleElement {
  readonly $parent?: BpmnElement;
  readonly id?: string;
  readonly name?: string;

  readonly rootElements?: BpmnElement[];
  readonly flowElements?: BpmnElement[];
  readonly isExecutable?: boolean;
  readonly triggeredByEvent?: boolean;

  readonly sourceRef?: BpmnElement;
  readonly targetRef?: BpmnElement;
  readonly conditionExpression?: BpmnElement;
  readonly body?: string;
  readonly default?: BpmnElement;

  readonly eventDefinitions?: BpmnElement[];
  readonly eventDefinitionRef?: BpmnElement[];
  readonly attachedToRef?: BpmnElement;
  readonly cancelActivity?: boolean;
  readonly loopCharacteristics?: BpmnElement;
  readonly isForCompensation?: boolean;

  readonly timeDuration?: BpmnElement;
  readonly timeDate?: BpmnElement;
  readonly timeCycle?: BpmnElement;
  readonly messageRef?: BpmnElement;
  readonly errorRef?: BpmnElement;
  readonly errorCode?: string;

  readonly extensionElements?: BpmnElement;
  readonly values?: BpmnElement[];
}

/** A string attribute, trimmed; undefined when absent or blank so optional fields stay absent. */
export function attr(el: BpmnElement | undefined, name: string): string | undefined {
  const value = el?.[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The first extension element of a type (`zeebe:TaskDefinition`), as modelers write at most one. */
export function extension(el: BpmnElement, type: string): BpmnElement | undefined {
  return el.extensionElements?.values?.find((value) => value.$type === type);
}

/** Text of an expression element (`<conditionExpression>`, `<timeDuration>`), trimmed. */
export function bodyOf(expression: BpmnElement | undefined): string | undefined {
  return attr(expression, 'body');
}

/** How an element is named in messages: `"Approve refund" (Task_1)` or just the id. */
export function describe(el: BpmnElement): string {
  // Modellers break long names over lines; a message reads better on one.
  const name = attr(el, 'name')?.replace(/\s+/g, ' ');
  return name ? `"${name}" (${el.id ?? el.$type})` : (el.id ?? el.$type);
}

/**
 * The id an error about `el` should point at: the nearest enclosing element a modeller can
 * select (a flow element, a root element such as a message, a participant), not an event
 * definition or expression inside it, which the designer cannot highlight. Falls back to the
 * nearest id of any kind.
 */
export function nearestId(el: BpmnElement | undefined): string | null {
  return addressableAncestor(el)?.id ?? nearestWithId(el)?.id ?? null;
}

const ADDRESSABLE = ['bpmn:FlowElement', 'bpmn:RootElement', 'bpmn:Participant', 'bpmn:MessageFlow', 'bpmn:Artifact', 'bpmn:Lane'];

export function addressableAncestor(el: BpmnElement | undefined): BpmnElement | undefined {
  for (let current = el; current; current = current.$parent) {
    if (hasId(current) && isAddressable(current)) return current;
  }
  return undefined;
}

/** Event definitions are root elements in the BPMN schema, but live inside the event a modeller sees. */
function isAddressable(el: BpmnElement): boolean {
  if (el.$instanceOf?.('bpmn:EventDefinition')) return false;
  return ADDRESSABLE.some((type) => el.$instanceOf?.(type));
}

function nearestWithId(el: BpmnElement | undefined): BpmnElement | undefined {
  for (let current = el; current; current = current.$parent) {
    if (hasId(current)) return current;
  }
  return undefined;
}

function hasId(el: BpmnElement): boolean {
  return typeof el.id === 'string' && el.id !== '';
}
