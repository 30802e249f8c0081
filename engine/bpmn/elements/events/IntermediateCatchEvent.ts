import { scheduleOrIncident } from '../../Execution.ts';
import type { Behaviour } from '../Behaviour.ts';

/** Timer catch: waits for a durable job. Message catch: waits for a message with the instance's business key. */
export const IntermediateCatchEvent: Behaviour = {
  enter(exec, token, node) {
    if (node.eventKind === 'timer') {
      exec.armTimer(token, node, scheduleOrIncident(exec, node));
      exec.wait(token, 'timer');
    } else {
      exec.subscribe(token, node);
      exec.wait(token, 'message');
    }
  },
};
