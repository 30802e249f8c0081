/**
 * Linked fields (R3, R32): a key field declares `x-loopdesk-lookup: { source, key?, fill }` and the
 * server, when the key has a value, fetches the record from `source` and calls `applyLookup`. No
 * code per form: the declaration says which record property fills which field.
 */
import type { LookupKeyword } from '../../schemas/form-definition.schema.ts';
import { fieldsOf } from './fields.ts';
import { ANY, clone, getAt, isObject, type JsonObject, removeAt, setAt, splitPointer } from './pointer.ts';
import type { FormDefinition, SchemaNode } from './types.ts';

export interface FormLookup {
  source: string;
  /** JSON pointer of the key field in the form data. */
  by: string;
  /** The record property the key is matched against (default `id`). */
  key: string;
  /** Target field pointer → record property name or JSON pointer into the record. */
  fill: Record<string, string>;
}

/** Resolves a fill target: an absolute pointer, or a sibling of the key field. */
export function fillTarget(by: string, target: string): string {
  if (target.startsWith('/')) return target;
  return `${by.slice(0, by.lastIndexOf('/'))}/${target.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The lookups a form declares, normalised. */
export function lookupsOf(form: Pick<FormDefinition, 'schema'>): FormLookup[] {
  const lookups: FormLookup[] = [];
  for (const field of fieldsOf(form.schema as SchemaNode).values()) {
    const declared = field.schema['x-loopdesk-lookup'] as LookupKeyword | undefined;
    if (!isObject(declared) || splitPointer(field.path).includes(ANY)) continue;
    const fill: Record<string, string> = {};
    for (const [target, from] of Object.entries(declared.fill)) fill[fillTarget(field.path, target)] = from as string;
    lookups.push({ source: declared.source, by: field.path, key: declared.key ?? 'id', fill });
  }
  return lookups;
}

/** What the server has to look up for this data: one request per key field that has a value. */
export function lookupRequests(
  form: Pick<FormDefinition, 'schema'>,
  data: unknown,
): { source: string; by: string; key: string; value: unknown }[] {
  return lookupsOf(form)
    .map((l) => ({ source: l.source, by: l.by, key: l.key, value: getAt(data, l.by) }))
    .filter((r) => r.value !== undefined && r.value !== null && r.value !== '');
}

function recordValue(record: JsonObject, from: string): unknown {
  if (from.startsWith('/')) return getAt(record, from);
  return Object.hasOwn(record, from) ? record[from] : undefined;
}

/**
 * Copies the looked-up record into the fields its lookups fill. `record` null means "no such
 * record": the filled fields are cleared, so values of a previous customer never linger.
 * `by` limits it to the lookup of one key field when a source serves several.
 */
export function applyLookup(
  form: Pick<FormDefinition, 'schema'>,
  data: unknown,
  sourceName: string,
  record: JsonObject | null,
  by?: string,
): JsonObject {
  const out: JsonObject = isObject(data) ? clone(data) : {};
  for (const lookup of lookupsOf(form)) {
    if (lookup.source !== sourceName || (by !== undefined && lookup.by !== by)) continue;
    for (const [target, from] of Object.entries(lookup.fill)) {
      const value = record ? recordValue(record, from) : undefined;
      if (value === undefined) removeAt(out, target);
      else setAt(out, target, clone(value));
    }
  }
  return out;
}
