/**
 * Reading and writing one extension element (`loopdesk:sla`, `zeebe:formDefinition`, …) of a BPMN
 * element as one undoable command: creates `extensionElements` and the extension when needed,
 * updates its attributes, and removes it when no attribute is left.
 */
export type ModdleElement = {
  $type: string;
  $parent?: ModdleElement;
  $instanceOf?: (type: string) => boolean;
  get(name: string): any;
  set(name: string, value: unknown): void;
  [key: string]: any;
};

export interface Shape {
  id: string;
  type: string;
  businessObject: ModdleElement;
}

export interface Injector {
  get<T = any>(name: string, strict?: boolean): T;
}

const isType = (el: ModdleElement, type: string) => (el.$instanceOf ? el.$instanceOf(type) : el.$type === type);

export function extensionOf(bo: ModdleElement | undefined, type: string): ModdleElement | undefined {
  const values: ModdleElement[] = bo?.get('extensionElements')?.get('values') ?? [];
  return values.find((v) => isType(v, type));
}

export function extensionAttr(bo: ModdleElement | undefined, type: string, attr: string): string {
  const value = extensionOf(bo, type)?.get(attr);
  return typeof value === 'string' ? value : '';
}

/**
 * Sets attributes of the extension `type` on `bo` (the element's business object, or the process
 * of the root). Empty strings clear an attribute; an extension without attributes is removed.
 */
export function setExtensionAttrs(injector: Injector, element: Shape, bo: ModdleElement, type: string, attrs: Record<string, string>): void {
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const commands: { cmd: string; context: Record<string, unknown> }[] = [];
  const update = (moddleElement: ModdleElement, properties: Record<string, unknown>) =>
    commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } });

  let extensionElements: ModdleElement | undefined = bo.get('extensionElements');
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] }) as ModdleElement;
    extensionElements.$parent = bo;
    update(bo, { extensionElements });
  }
  const values: ModdleElement[] = extensionElements.get('values');
  const existing = values.find((v) => isType(v, type));
  const cleaned = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v === '' ? undefined : v]));
  const remaining = { ...(existing ? attributesOf(existing) : {}), ...cleaned };
  const empty = Object.values(remaining).every((v) => v === undefined || v === '');

  if (!existing) {
    if (empty) return;
    const created = bpmnFactory.create(type, Object.fromEntries(Object.entries(cleaned).filter(([, v]) => v !== undefined))) as ModdleElement;
    created.$parent = extensionElements;
    update(extensionElements, { values: [...values, created] });
  } else if (empty) {
    update(extensionElements, { values: values.filter((v) => v !== existing) });
  } else {
    update(existing, cleaned);
  }
  if (commands.length > 0) commandStack.execute('properties-panel.multi-command-executor', commands);
}

function attributesOf(el: ModdleElement): Record<string, string | undefined> {
  const descriptor = (el as { $descriptor?: { properties?: { name: string; isAttr?: boolean }[] } }).$descriptor;
  const out: Record<string, string | undefined> = {};
  for (const p of descriptor?.properties ?? []) if (p.isAttr) out[p.name] = el.get(p.name);
  return out;
}
