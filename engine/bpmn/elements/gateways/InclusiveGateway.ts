import { IncidentSignal } from '../../Execution.ts';
import type { Behaviour } from '../Behaviour.ts';
import type { Execution } from '../../Execution.ts';
import type { FlowNode } from '../../model.ts';
import type { Token } from '../../state.ts';

function fork(exec: Execution, token: Token, node: FlowNode): void {
  if (node.outgoing.length <= 1) {
    exec.leave(token, 'completed', null);
    return;
  }
  const holding = exec.flowsWhoseConditionHolds(node);
  const flows = holding.length ? holding : node.defaultFlow ? [node.defaultFlow] : [];
  if (flows.length === 0) throw new IncidentSignal(node.id, 'LD_NO_FLOW_TAKEN', `no condition of gateway ${node.id} holds and it has no default flow`);
  exec.leave(token, 'completed', null, flows);
}

/**
 * Forks into every flow whose condition holds (the default when none does). As a join it waits
 * until no other token of the scope can still arrive, so only the branches actually taken count.
 */
export const InclusiveGateway: Behaviour = {
  enter(exec, token, node) {
    if (node.incoming.length > 1) {
      exec.wait(token, 'join');
      exec.requestJoin(token);
      return;
    }
    fork(exec, token, node);
  },
  afterJoin: fork,
};
