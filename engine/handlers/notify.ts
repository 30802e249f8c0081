import type { SyncServiceHandler } from '../bpmn/services.ts';

/**
 * Queues a notification in the outbox, in the step's own transaction, so it is sent if and only if
 * the step commits. Headers: `to` (user, team or role), `template`, `channel` (default in-app);
 * inputs are the template's fields.
 */
export const notify: SyncServiceHandler = {
  name: 'notify',
  mode: 'sync',
  run(call, outbox) {
    outbox('notification', {
      to: call.headers.to ?? call.inputs.to ?? null,
      template: call.headers.template ?? null,
      channel: call.headers.channel ?? 'in-app',
      businessKey: call.businessKey,
      fields: call.inputs,
    });
    return undefined;
  },
};
