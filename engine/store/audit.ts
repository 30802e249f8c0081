/**
 * The audit trail (R40): one append-only row per change, written in the same transaction as the
 * change itself so the trail can never disagree with the data.
 */
import { newId } from '../core/ids.ts';
import type { Tx } from './db.ts';

export interface AuditInput {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export async function audit(tx: Tx, at: number, e: AuditInput): Promise<void> {
  await tx.run(
    'INSERT INTO audit_log (id, at, actor, action, entity_type, entity_id, before, after, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      newId(),
      at,
      e.actor,
      e.action,
      e.entityType,
      e.entityId,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.requestId ?? null,
    ],
  );
}

export interface AuditRow {
  id: string;
  at: number;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export async function listAudit(tx: Tx, filter: { entityType?: string; entityId?: string; limit: number }): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.entityType) {
    where.push('entity_type = ?');
    params.push(filter.entityType);
  }
  if (filter.entityId) {
    where.push('entity_id = ?');
    params.push(filter.entityId);
  }
  const rows = await tx.all<Record<string, unknown>>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${Math.floor(filter.limit)}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id as string,
    at: r.at as number,
    actor: r.actor as string,
    action: r.action as string,
    entityType: r.entity_type as string,
    entityId: r.entity_id as string,
    before: r.before ? JSON.parse(r.before as string) : null,
    after: r.after ? JSON.parse(r.after as string) : null,
    requestId: (r.request_id as string | null) ?? null,
  }));
}
