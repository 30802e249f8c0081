import type { Behaviour } from '../Behaviour.ts';

/** Forks into every outgoing flow; as a join, waits for a token on every incoming flow. */
export const ParallelGateway: Behaviour = {
  enter(exec, token, node) {
    if (node.incoming.length > 1) {
      exec.wait(token, 'join');
      exec.requestJoin(token);
      return;
    }
    exec.leave(token, 'completed', null);
  },
  afterJoin: (exec, token) => exec.leave(token, 'completed', null),
};
