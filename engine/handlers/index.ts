/**
 * The service-task handlers Loopdesk ships. Diagrams name them with `zeebe:taskDefinition type`;
 * deploying a diagram that names any other handler fails.
 */
import { ServiceRegistry } from '../bpmn/services.ts';
import { notify } from './notify.ts';
import { setVariables } from './setVariables.ts';
import { webhook } from './webhook.ts';

export function builtInHandlers(): ServiceRegistry {
  return new ServiceRegistry().register(setVariables).register(notify).register(webhook);
}
