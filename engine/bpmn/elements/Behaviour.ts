import type { Execution } from '../Execution.ts';
import type { FlowNode } from '../model.ts';
import type { Token } from '../state.ts';

/** What a BPMN element does when a token arrives (and, for joins, when the join fires). */
export interface Behaviour {
  enter(exec: Execution, token: Token, node: FlowNode): void;
  afterJoin?(exec: Execution, token: Token, node: FlowNode): void;
}

/** Elements that do their work instantly and pass the token on. */
export const passThrough: Behaviour = {
  enter: (exec, token) => exec.leave(token, 'completed', null),
};
