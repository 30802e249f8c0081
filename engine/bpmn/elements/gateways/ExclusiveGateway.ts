import { IncidentSignal } from '../../Execution.ts';
import type { Behaviour } from '../Behaviour.ts';

/** Takes the first outgoing flow whose condition holds, else the default; merging passes through. */
export const ExclusiveGateway: Behaviour = {
  enter(exec, token, node) {
    if (node.outgoing.length <= 1) {
      exec.leave(token, 'completed', null);
      return;
    }
    const chosen = exec.flowsWhoseConditionHolds(node)[0] ?? node.defaultFlow;
    if (!chosen) throw new IncidentSignal(node.id, 'LD_NO_FLOW_TAKEN', `no condition of gateway ${node.id} holds and it has no default flow`);
    exec.leave(token, 'completed', null, [chosen]);
  },
};
