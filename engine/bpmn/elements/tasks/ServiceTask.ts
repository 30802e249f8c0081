import type { Behaviour } from '../Behaviour.ts';

/** Runs the handler named by the task's type; see services.ts for sync vs async handlers. */
export const ServiceTask: Behaviour = {
  enter: (exec, token, node) => exec.runService(token, node),
};
