/**
 * What changed between two versions of a form schema, field by field, for the designer (R33,
 * R38) and for deciding which migrations a new version needs.
 */
import { type FieldMap, fieldsOf } from './fields.ts';
import { deepEqual } from './pointer.ts';
import type { SchemaNode } from './types.ts';

export interface FieldChange {
  path: string;
  /** Keywords of the field's own declaration that differ, plus `required` / `conditional`. */
  keywords: string[];
}

export interface FieldDiff {
  added: string[];
  removed: string[];
  changed: FieldChange[];
}

// Children are fields of their own: compared separately.
const NESTED = new Set(['properties', 'patternProperties', 'additionalProperties', 'items', 'additionalItems', 'required']);

function changedKeywords(path: string, before: FieldMap, after: FieldMap): string[] {
  const a = before.get(path);
  const b = after.get(path);
  if (!a || !b) return [];
  const keywords = new Set([...Object.keys(a.schema), ...Object.keys(b.schema)]);
  const changed = [...keywords].filter((k) => !NESTED.has(k) && !deepEqual(a.schema[k], b.schema[k])).sort();
  if (a.required !== b.required) changed.push('required');
  if (a.conditional !== b.conditional) changed.push('conditional');
  return changed;
}

export function diffFields(oldSchema: SchemaNode, newSchema: SchemaNode): FieldDiff {
  const before = fieldsOf(oldSchema);
  const after = fieldsOf(newSchema);
  const added = [...after.keys()].filter((p) => !before.has(p));
  const removed = [...before.keys()].filter((p) => !after.has(p));
  const changed = [...after.keys()]
    .filter((p) => before.has(p))
    .map((path) => ({ path, keywords: changedKeywords(path, before, after) }))
    .filter((c) => c.keywords.length > 0);
  return { added, removed, changed };
}
