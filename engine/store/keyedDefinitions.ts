/**
 * Definitions kept as one JSON document per key — calendars, SLA policies, exams — share one table
 * shape (key, definition, updated_at, updated_by) and one way of being saved: an identical document
 * writes nothing; otherwise the row and its audit row (`<entity>.create` / `<entity>.update`, with
 * before and after) are written in the caller's transaction.
 */
import { audit } from './audit.ts';
import type { Tx } from './db.ts';

export type KeyedDefinitionTable = 'calendars' | 'sla_policies' | 'exam_definitions';

export interface StoredDefinition {
  definition: string;
  updated_at: number;
  updated_by: string;
}

export function storedDefinition(tx: Tx, table: KeyedDefinitionTable, key: string): Promise<StoredDefinition | undefined> {
  return tx.get<StoredDefinition>(`SELECT definition, updated_at, updated_by FROM ${table} WHERE key = ?`, [key]);
}

export async function writeDefinition(
  tx: Tx,
  now: number,
  w: {
    table: KeyedDefinitionTable;
    /** The audit entity type, also the prefix of the action: `calendar`, `sla-policy`, `exam`. */
    entityType: string;
    key: string;
    definition: unknown;
    /** What `storedDefinition` returned in this transaction. */
    existing: StoredDefinition | undefined;
    actor: string;
    requestId?: string;
  },
): Promise<'created' | 'updated' | 'unchanged'> {
  const body = JSON.stringify(w.definition);
  if (w.existing?.definition === body) return 'unchanged';
  if (w.existing) {
    await tx.run(`UPDATE ${w.table} SET definition = ?, updated_at = ?, updated_by = ? WHERE key = ?`, [body, now, w.actor, w.key]);
  } else {
    await tx.run(`INSERT INTO ${w.table} (key, definition, updated_at, updated_by) VALUES (?, ?, ?, ?)`, [w.key, body, now, w.actor]);
  }
  await audit(tx, now, {
    actor: w.actor,
    action: `${w.entityType}.${w.existing ? 'update' : 'create'}`,
    entityType: w.entityType,
    entityId: w.key,
    before: w.existing ? JSON.parse(w.existing.definition) : undefined,
    after: w.definition,
    requestId: w.requestId,
  });
  return w.existing ? 'updated' : 'created';
}
