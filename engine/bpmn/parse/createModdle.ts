import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import loopdesk from '../moddle/loopdesk.json' with { type: 'json' };

/**
 * A BpmnModdle that knows the `zeebe:` (Camunda 8 modeler) and `loopdesk:` extensions, so their
 * elements arrive typed under `extensionElements` instead of as untyped generic nodes.
 * A new instance per call: moddle caches types per instance, and instances are cheap.
 */
export function createModdle(): BpmnModdle {
  return new BpmnModdle({ zeebe, loopdesk });
}
