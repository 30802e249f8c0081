/**
 * Correlating a message with the instance waiting for it: same message name and the instance's
 * business key. One message reaches one waiting subscription (the oldest), as in Camunda 8.
 */
import { LoopdeskError } from '../core/errors.ts';
import { loadInstance } from '../store/instances.ts';
import { type EngineContext, type Principal, command } from './context.ts';
import { runStep } from './step.ts';

export interface MessageInput {
  name: string;
  businessKey: string;
  variables?: Record<string, unknown>;
}

export async function correlateMessage(ctx: EngineContext, msg: MessageInput, who: Principal, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const sub = await tx.get<{ id: string; instance_id: string; node_id: string; token_id: number }>(
      `SELECT id, instance_id, node_id, token_id FROM message_subscriptions WHERE message_name = ? AND business_key = ? ORDER BY created_at, id LIMIT 1${ctx.db.skipLocked}`,
      [msg.name, msg.businessKey],
    );
    if (!sub) {
      throw new LoopdeskError('LD_MESSAGE_NOT_CORRELATED', 404, `no instance with business key "${msg.businessKey}" waits for message "${msg.name}"`);
    }
    const inst = await loadInstance(tx, sub.instance_id);
    if (!inst) throw new LoopdeskError('LD_MESSAGE_NOT_CORRELATED', 404, `instance ${sub.instance_id} is gone`);
    await runStep(
      ctx,
      tx,
      now,
      inst,
      who.username,
      (exec) => exec.correlateMessage({ id: sub.id, nodeId: sub.node_id, tokenId: sub.token_id }, msg.variables ?? {}),
      {
        actor: who.username,
        action: 'message.correlate',
        entityType: 'instance',
        entityId: inst.id,
        after: { message: msg.name, businessKey: msg.businessKey, nodeId: sub.node_id, variables: msg.variables ?? {} },
        requestId,
      },
    );
    return { instanceId: inst.id, nodeId: sub.node_id };
  });
}
