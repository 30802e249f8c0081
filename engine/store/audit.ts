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

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The digest a payload is hashed by; kept when the payload itself is erased (redactAudit). */
const payloadDigest = (payload: string | null) => (payload === null ? null : sha256(payload));

interface HashedRow {
  id: string;
  at: number;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
}

/**
 * The hash of one row: SHA-256 over the previous row's hash of the same entity, the row's fields
 * and the digests of its before/after payloads. Editing or deleting any row breaks the chain from
 * there on (verifyAuditChain). Hashing the payloads' digests rather than the payloads lets personal
 * data be erased from a row (GDPR) while the chain still proves nothing else changed.
 */
function rowHash(prev: string | null, r: HashedRow, beforeDigest: string | null, afterDigest: string | null): string {
  return sha256(JSON.stringify(['v2', prev, r.id, Number(r.at), r.actor, r.action, r.entityType, r.entityId, beforeDigest, afterDigest]));
}

/** Rows written before payload digests were hashed (they cannot be redacted without a break). */
function legacyRowHash(prev: string | null, r: HashedRow, before: string | null, after: string | null): string {
  return sha256(JSON.stringify([prev, r.id, Number(r.at), r.actor, r.action, r.entityType, r.entityId, before, after]));
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
    [row.id, at, row.actor, row.action, row.entityType, row.entityId, row.before, row.after, e.requestId ?? null, prevHash, rowHash(prevHash, row, payloadDigest(row.before), payloadDigest(row.after))],
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
    `SELECT id, at, actor, action, entity_type, entity_id, before, after, before_digest, after_digest, redacted_at, prev_hash, hash FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY entity_type, entity_id, id`,
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
    const hashed: HashedRow = {
      id: r.id as string,
      at: Number(r.at),
      actor: r.actor as string,
      action: r.action as string,
      entityType: r.entity_type as string,
      entityId: r.entity_id as string,
    };
    const before = (r.before as string | null) ?? null;
    const after = (r.after as string | null) ?? null;
    const redacted = r.redacted_at !== null && r.redacted_at !== undefined;
    const current = redacted
      ? rowHash(prev, hashed, (r.before_digest as string | null) ?? null, (r.after_digest as string | null) ?? null)
      : rowHash(prev, hashed, payloadDigest(before), payloadDigest(after));
    const expected = current === r.hash || redacted ? current : legacyRowHash(prev, hashed, before, after);
    if ((r.prev_hash ?? null) !== prev || r.hash !== expected) {
      check.ok = false;
      check.brokenAt = r.id as string;
    }
    lastHash.set(key, r.hash as string);
  }
  return [...out.values()];
}

/**
 * Erases the before/after payloads of the given rows (personal data of an erased customer), keeping
 * their digests so the hash chain still verifies. Returns how many rows were redacted.
 */
export async function redactAudit(tx: Tx, rowIds: readonly string[], at: number): Promise<number> {
  let redacted = 0;
  for (const id of rowIds) {
    const r = await tx.get<{ before: string | null; after: string | null; redacted_at: number | null }>('SELECT before, after, redacted_at FROM audit_log WHERE id = ?', [id]);
    if (!r || r.redacted_at !== null) continue;
    redacted += await tx.run('UPDATE audit_log SET before = NULL, after = NULL, before_digest = ?, after_digest = ?, redacted_at = ? WHERE id = ?', [
      payloadDigest(r.before ?? null),
      payloadDigest(r.after ?? null),
      at,
      id,
    ]);
  }
  return redacted;
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
  /** Set when the payloads were erased (personal data of an erased customer). */
  redactedAt: number | null;
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
    redactedAt: r.redacted_at === null || r.redacted_at === undefined ? null : Number(r.redacted_at),
  }));
}
