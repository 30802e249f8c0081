/**
 * The audit trail (R40): one append-only row per change, written in the same transaction as the
 * change itself so the trail can never disagree with the data.
 */
import { createHash } from 'node:crypto';
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

/**
 * The hash of one row: SHA-256 over the previous row's hash of the same entity and the row's own
 * fields. Editing or deleting any row breaks the chain from there on (verifyAuditChain).
 */
function rowHash(prev: string | null, r: { id: string; at: number; actor: string; action: string; entityType: string; entityId: string; before: string | null; after: string | null }): string {
  return createHash('sha256')
    .update(JSON.stringify([prev, r.id, Number(r.at), r.actor, r.action, r.entityType, r.entityId, r.before, r.after]))
    .digest('hex');
}

export async function audit(tx: Tx, at: number, e: AuditInput): Promise<void> {
  // The entity's rows are written by transactions that already serialise on the entity itself
  // (revision check, state guard), so its chain does not fork.
  const last = await tx.get<{ hash: string | null }>('SELECT hash FROM audit_log WHERE entity_type = ? AND entity_id = ? ORDER BY id DESC LIMIT 1', [
    e.entityType,
    e.entityId,
  ]);
  const row = {
    id: newId(),
    at,
    actor: e.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
  };
  const prevHash = last?.hash ?? null;
  await tx.run(
    'INSERT INTO audit_log (id, at, actor, action, entity_type, entity_id, before, after, request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [row.id, at, row.actor, row.action, row.entityType, row.entityId, row.before, row.after, e.requestId ?? null, prevHash, rowHash(prevHash, row)],
  );
}

export interface ChainCheck {
  entityType: string;
  entityId: string;
  rows: number;
  ok: boolean;
  /** The first row whose hash does not follow from its predecessor. */
  brokenAt: string | null;
}

/** Recomputes the chains of the given entity (or of every entity) and reports the first break. */
export async function verifyAuditChain(tx: Tx, filter: { entityType?: string; entityId?: string } = {}): Promise<ChainCheck[]> {
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
    `SELECT id, at, actor, action, entity_type, entity_id, before, after, prev_hash, hash FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY entity_type, entity_id, id`,
    params,
  );
  const out = new Map<string, ChainCheck>();
  const lastHash = new Map<string, string | null>();
  for (const r of rows) {
    const key = `${r.entity_type}\u0000${r.entity_id}`;
    let check = out.get(key);
    if (!check) {
      check = { entityType: r.entity_type as string, entityId: r.entity_id as string, rows: 0, ok: true, brokenAt: null };
      out.set(key, check);
      lastHash.set(key, null);
    }
    check.rows++;
    if (!check.ok) continue;
    const prev = lastHash.get(key) ?? null;
    const expected = rowHash(prev, {
      id: r.id as string,
      at: Number(r.at),
      actor: r.actor as string,
      action: r.action as string,
      entityType: r.entity_type as string,
      entityId: r.entity_id as string,
      before: (r.before as string | null) ?? null,
      after: (r.after as string | null) ?? null,
    });
    if ((r.prev_hash ?? null) !== prev || r.hash !== expected) {
      check.ok = false;
      check.brokenAt = r.id as string;
    }
    lastHash.set(key, r.hash as string);
  }
  return [...out.values()];
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
