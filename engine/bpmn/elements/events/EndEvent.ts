import type { Behaviour } from '../Behaviour.ts';

/**
 * None end: the token ends. Terminate end: every other token of the scope is terminated, which
 * completes the sub-process or the instance. Error end: the error goes to the nearest matching
 * error boundary event.
 */
export const EndEvent: Behaviour = {
  enter(exec, token, node) {
    if (node.eventKind === 'error') {
      exec.throwError(token, node.errorCode ?? '');
      return;
    }
    exec.closeVisit(token, 'completed', null);
    if (node.eventKind === 'terminate') {
      for (const other of exec.state.tokens.filter((t) => t.scope === token.scope && t !== token)) {
        exec.cancel(other, 'terminated', false);
      }
    }
    exec.consume(token);
  },
};
