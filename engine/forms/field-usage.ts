/**
 * Field usage for the quarterly field review (R38): per form version and field, how many records
 * have it filled or empty, how often a filled value was changed later, and when it was last
 * filled. Maintained incrementally from each save (previous data → new data), so a store can keep
 * one row per (form, version, field) and apply `fieldUsageDelta` with `UPDATE … SET n = n + Δ`.
 *
 * Counted fields are the leaves of the schema (values and whole arrays; objects are counted
 * through their properties; fields inside array items are not counted separately).
 */
import { leafFields, fieldsOf } from './fields.ts';
import { deepEqual, getAt, isEmptyValue } from './pointer.ts';
import type { SchemaNode } from './types.ts';

export interface FieldUsage {
  /** Records of this version whose value is filled now. */
  filledCount: number;
  /** Records of this version whose value is empty now (absent, null, blank, [] or {}). */
  emptyCount: number;
  /** Saves that changed a value that had already been filled (including clearing it). */
  changedAfterFirstEntry: number;
  /** ISO time of the last save that entered or changed a value; null if never. */
  lastFilledAt: string | null;
}

/** Usage by field path (JSON pointer). */
export type FieldUsageStats = Record<string, FieldUsage>;

export interface FieldUsageDelta {
  field: string;
  filled: -1 | 0 | 1;
  empty: -1 | 0 | 1;
  changed: 0 | 1;
  /** Set when this save entered or changed a value. */
  filledAt?: string;
}

type State = 'none' | 'empty' | 'filled';

function stateOf(data: unknown, path: string): State {
  if (data === undefined) return 'none';
  return isEmptyValue(getAt(data, path)) ? 'empty' : 'filled';
}

/**
 * The change one save makes to the usage of each field. `previous` is undefined when the record
 * is new to this version; `next` is undefined when it leaves the version (deleted or migrated).
 */
export function fieldUsageDelta(schema: SchemaNode, previous: unknown, next: unknown, at: Date): FieldUsageDelta[] {
  const deltas: FieldUsageDelta[] = [];
  for (const { path } of leafFields(fieldsOf(schema))) {
    const before = stateOf(previous, path);
    const after = stateOf(next, path);
    const valueChanged = !deepEqual(getAt(previous, path), getAt(next, path));
    const delta: FieldUsageDelta = {
      field: path,
      filled: ((after === 'filled' ? 1 : 0) - (before === 'filled' ? 1 : 0)) as FieldUsageDelta['filled'],
      empty: ((after === 'empty' ? 1 : 0) - (before === 'empty' ? 1 : 0)) as FieldUsageDelta['empty'],
      changed: before === 'filled' && after !== 'none' && valueChanged ? 1 : 0,
    };
    if (after === 'filled' && valueChanged) delta.filledAt = at.toISOString();
    if (delta.filled !== 0 || delta.empty !== 0 || delta.changed !== 0 || delta.filledAt) deltas.push(delta);
  }
  return deltas;
}

/** Applies one save to the stats and returns the new stats (the input is not changed). */
export function accumulateFieldUsage(
  schema: SchemaNode,
  previous: unknown,
  next: unknown,
  at: Date,
  stats: FieldUsageStats = {},
): FieldUsageStats {
  const out: FieldUsageStats = { ...stats };
  for (const d of fieldUsageDelta(schema, previous, next, at)) {
    const current = out[d.field] ?? { filledCount: 0, emptyCount: 0, changedAfterFirstEntry: 0, lastFilledAt: null };
    const lastFilledAt =
      d.filledAt && (current.lastFilledAt === null || d.filledAt > current.lastFilledAt) ? d.filledAt : current.lastFilledAt;
    out[d.field] = {
      filledCount: current.filledCount + d.filled,
      emptyCount: current.emptyCount + d.empty,
      changedAfterFirstEntry: current.changedAfterFirstEntry + d.changed,
      lastFilledAt,
    };
  }
  return out;
}

/** Fields filled in at most `maxFillRate` of the records (0.1 = 10%), least filled first. */
export function rarelyFilledFields(stats: FieldUsageStats, maxFillRate: number): { field: string; fillRate: number }[] {
  return Object.entries(stats)
    .map(([field, u]) => {
      const total = u.filledCount + u.emptyCount;
      return { field, fillRate: total === 0 ? 0 : u.filledCount / total };
    })
    .filter((f) => f.fillRate <= maxFillRate)
    .sort((a, b) => a.fillRate - b.fillRate || a.field.localeCompare(b.field));
}
