import type { Behaviour } from '../Behaviour.ts';

/** Embedded sub-process: a new scope starts at its start event; the node is left when the scope empties. */
export const SubProcess: Behaviour = {
  enter(exec, token, node) {
    exec.wait(token, 'subprocess');
    exec.armBoundaryEvents(token, node);
    exec.openScope(token, node);
  },
};
