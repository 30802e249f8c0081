import type { SyncServiceHandler } from '../bpmn/services.ts';

/** Sets process variables from the task's input mappings (`zeebe:input source="=…" target="x"`). */
export const setVariables: SyncServiceHandler = {
  name: 'set-variables',
  mode: 'sync',
  run: (call) => call.inputs,
};
