/**
 * The BPMN modeler the process designer hosts: bpmn-js with the properties panel (BPMN + Camunda 8
 * providers, Camunda 8 behaviours), the `zeebe:` and `loopdesk:` moddle extensions the engine reads,
 * the Loopdesk properties group, bpmnlint with the execution rules, and a zh-CN translation.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import ModelerModule from 'bpmn-js/lib/Modeler.js';
import lintModule from 'bpmn-js-bpmnlint';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule } from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import loopdeskModdle from '../../../engine/bpmn/moddle/loopdesk.json' with { type: 'json' };
import type { Lang } from '../shared/i18n.ts';
import { bpmnlintConfig } from './lint.ts';
import { type Catalog, LoopdeskPropertiesModule } from './loopdeskProperties.ts';
import { translateModule } from './translate.ts';

// bpmn-js's typings are read as CommonJS under NodeNext resolution (the package has no "type":
// "module"), so the default export appears as `.default`; at run time the bundler hands the class.
const Modeler = ModelerModule as unknown as typeof ModelerModule.default;
export type BpmnModeler = InstanceType<typeof ModelerModule.default>;

export interface ModelerOptions {
  canvas: HTMLElement;
  properties: HTMLElement;
  lang: Lang;
  catalog: Catalog;
}

export function createModeler({ canvas, properties, lang, catalog }: ModelerOptions): BpmnModeler {
  return new Modeler({
    container: canvas,
    propertiesPanel: { parent: properties },
    linting: { bpmnlint: bpmnlintConfig, active: true },
    loopdesk: { catalog },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      ZeebeBehaviorsModule,
      LoopdeskPropertiesModule,
      lintModule,
      ...(lang === 'zh-CN' ? [translateModule] : []),
    ],
    moddleExtensions: { zeebe: zeebeModdle, loopdesk: loopdeskModdle },
  });
}

/** A new diagram: one executable process with a start event, as Camunda 8 modeler starts one. */
export function emptyDiagram(id = `Process_${Math.random().toString(36).slice(2, 9)}`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" xmlns:loopdesk="http://loopdesk.dev/schema/bpmn/1.0" id="Definitions_${id}" targetNamespace="http://loopdesk.dev/bpmn" exporter="Loopdesk designer" exporterVersion="0.1.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${id}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}
