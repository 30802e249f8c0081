/**
 * The "Loopdesk" group of the properties panel: what the engine reads from `loopdesk:` and the form
 * a task opens with, chosen from what the server has (SLA policies, calendars, published forms)
 * instead of typed. Entries per element kind:
 *
 * - user task: form (`zeebe:formDefinition formId`), SLA policy + calendar (`loopdesk:sla`),
 *   dispatch strategy, skills, location (`loopdesk:dispatch`), working-time calendar;
 * - start event: the start form;
 * - service task, sub-process: SLA, working-time calendar;
 * - timer catch / boundary events: working-time calendar (`loopdesk:workingTime`);
 * - the process: case number format, default calendar and SLA policy (`loopdesk:processSettings`).
 */
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { type Lang, translator } from '../shared/i18n.ts';
import { type Injector, type ModdleElement, type Shape, extensionAttr, setExtensionAttrs } from './extensions.ts';

export interface CatalogItem {
  value: string;
  label: string;
}

/** What the selects offer; filled from the server by the host and updated in place. */
export interface Catalog {
  lang: Lang;
  policies: CatalogItem[];
  calendars: CatalogItem[];
  forms: CatalogItem[];
}

export const DISPATCH_STRATEGIES = ['explicit', 'group', 'round-robin', 'least-loaded', 'skills'] as const;

interface Entry {
  id: string;
  component: (props: { element: Shape; id: string }) => unknown;
  isEdited: (node: unknown) => boolean;
}

const is = (bo: ModdleElement | undefined, type: string) => !!bo?.$instanceOf?.(type);

function hasTimer(bo: ModdleElement): boolean {
  return (bo.get('eventDefinitions') ?? []).some((d: ModdleElement) => is(d, 'bpmn:TimerEventDefinition'));
}

/** The process whose settings the root element edits (the root itself, or a pool's process). */
function processOf(element: Shape): ModdleElement | undefined {
  const bo = element.businessObject;
  if (is(bo, 'bpmn:Process')) return bo;
  if (is(bo, 'bpmn:Participant')) return bo.get('processRef');
  return undefined;
}

class LoopdeskPropertiesProvider {
  static $inject = ['propertiesPanel', 'injector', 'config.loopdesk'];

  private readonly catalog: Catalog;

  constructor(
    propertiesPanel: { registerProvider(priority: number, provider: unknown): void },
    private readonly injector: Injector,
    config: { catalog: Catalog },
  ) {
    this.catalog = config.catalog;
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element: Shape) {
    return (groups: { id: string }[]) => {
      const entries = this.entriesFor(element);
      if (entries.length === 0) return groups;
      const t = translator(this.catalog.lang);
      const at = Math.min(1, groups.length);
      groups.splice(at, 0, { id: 'loopdesk', label: t('ldGroup'), entries, shouldOpen: true } as never);
      return groups;
    };
  }

  private entriesFor(element: Shape): Entry[] {
    const bo = element.businessObject;
    const entries: Entry[] = [];
    const process = processOf(element);
    if (process) {
      entries.push(
        this.text(element, process, 'loopdesk-case-number', 'ldCaseNumber', 'loopdesk:CaseNumber', 'format'),
        this.select(element, process, 'loopdesk-process-calendar', 'ldProcessCalendar', 'loopdesk:ProcessSettings', 'calendar', () => this.catalog.calendars),
        this.select(element, process, 'loopdesk-process-sla', 'ldProcessSla', 'loopdesk:ProcessSettings', 'slaPolicy', () => this.catalog.policies),
      );
      return entries;
    }
    const userTask = is(bo, 'bpmn:UserTask');
    const startEvent = is(bo, 'bpmn:StartEvent') && !is(bo.$parent, 'bpmn:SubProcess');
    if (userTask || startEvent) {
      entries.push(this.select(element, bo, 'loopdesk-form', 'ldForm', 'zeebe:FormDefinition', 'formId', () => this.catalog.forms));
    }
    if (userTask || is(bo, 'bpmn:ServiceTask') || is(bo, 'bpmn:SubProcess')) {
      entries.push(
        this.select(element, bo, 'loopdesk-sla-policy', 'ldSlaPolicy', 'loopdesk:Sla', 'policy', () => this.catalog.policies),
        this.select(element, bo, 'loopdesk-sla-calendar', 'ldSlaCalendar', 'loopdesk:Sla', 'calendar', () => this.catalog.calendars),
      );
    }
    if (userTask) {
      const t = translator(this.catalog.lang);
      const strategies = () => DISPATCH_STRATEGIES.map((s) => ({ value: s, label: t(`dispatch_${s}`) }));
      entries.push(
        this.select(element, bo, 'loopdesk-dispatch-strategy', 'ldDispatch', 'loopdesk:Dispatch', 'strategy', strategies),
        this.text(element, bo, 'loopdesk-dispatch-skills', 'ldSkills', 'loopdesk:Dispatch', 'skills'),
        this.text(element, bo, 'loopdesk-dispatch-location', 'ldLocation', 'loopdesk:Dispatch', 'location'),
      );
    }
    const timerEvent = (is(bo, 'bpmn:IntermediateCatchEvent') || is(bo, 'bpmn:BoundaryEvent')) && hasTimer(bo);
    if (timerEvent || userTask || is(bo, 'bpmn:ServiceTask') || is(bo, 'bpmn:SubProcess')) {
      entries.push(
        this.select(element, bo, 'loopdesk-working-time', 'ldWorkingTime', 'loopdesk:WorkingTime', 'calendar', () => this.catalog.calendars),
      );
    }
    return entries;
  }

  private select(element: Shape, bo: ModdleElement, id: string, label: string, type: string, attr: string, options: () => CatalogItem[]): Entry {
    const injector = this.injector;
    const catalog = this.catalog;
    const component = () => {
      const t = translator(catalog.lang);
      return h(SelectEntry, {
        element,
        id,
        label: t(label),
        getValue: () => extensionAttr(bo, type, attr),
        setValue: (value: string) => setExtensionAttrs(injector, element, bo, type, { [attr]: value }),
        getOptions: () => {
          const current = extensionAttr(bo, type, attr);
          const list = options();
          const known = !current || list.some((o) => o.value === current);
          return [
            { value: '', label: t('ldNone') },
            ...list,
            ...(known ? [] : [{ value: current, label: `${current} (${t('ldUnknown')})` }]),
          ];
        },
      });
    };
    return { id, component, isEdited: isSelectEntryEdited };
  }

  private text(element: Shape, bo: ModdleElement, id: string, label: string, type: string, attr: string): Entry {
    const injector = this.injector;
    const catalog = this.catalog;
    const component = () => {
      const t = translator(catalog.lang);
      return h(TextFieldEntry, {
        element,
        id,
        label: t(label),
        description: t(`${label}Help`),
        debounce: injector.get('debounceInput'),
        getValue: () => extensionAttr(bo, type, attr),
        setValue: (value: string | undefined) => setExtensionAttrs(injector, element, bo, type, { [attr]: (value ?? '').trim() }),
      });
    };
    return { id, component, isEdited: isTextFieldEntryEdited };
  }
}

export const LoopdeskPropertiesModule = {
  __init__: ['loopdeskPropertiesProvider'],
  loopdeskPropertiesProvider: ['type', LoopdeskPropertiesProvider],
};
