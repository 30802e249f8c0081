/**
 * What the server sends a viewer (R35, R39): the data projected on the form version's fields,
 * without the fields the viewer's roles may not read, with personal data masked unless the viewer
 * has `pii:read`. Use the version the data was submitted with (R0d): fields removed in later
 * versions stay readable.
 */
import { accessResolver } from './field-access.ts';
import { type FieldMap, fieldsOf } from './fields.ts';
import { maskValue } from './mask.ts';
import { ANY, assign, childPointer, clone, isObject, type JsonObject } from './pointer.ts';
import type { FormDefinition, FormViewer, SchemaNode } from './types.ts';

const OMIT = Symbol('omit');

interface ViewContext {
  fields: FieldMap;
  access: ReturnType<typeof accessResolver>;
  parents: ReadonlySet<string>;
}

const parentCache = new WeakMap<FieldMap, ReadonlySet<string>>();

/** Field paths that have declared children (objects with properties, arrays with item schemas). */
export function parentPaths(fields: FieldMap): ReadonlySet<string> {
  let parents = parentCache.get(fields);
  if (!parents) {
    const found = new Set<string>(['']);
    for (const path of fields.keys()) found.add(path.slice(0, path.lastIndexOf('/')));
    parents = found;
    parentCache.set(fields, parents);
  }
  return parents;
}

/** The declared field path of `key` under the field `base` (exact name, else `*`). */
export function childFieldPath(fields: FieldMap, base: string, key: string | number): string | undefined {
  const exact = childPointer(base, key);
  if (typeof key === 'string' && fields.has(exact)) return exact;
  const any = childPointer(base, ANY);
  return fields.has(any) ? any : undefined;
}

function viewValue(value: unknown, path: string, ctx: ViewContext): unknown {
  const access = ctx.access(path);
  if (!access.readable) return OMIT;
  const mask = access.mask;
  if (mask && typeof value === 'string') return maskValue(value, mask);
  const hasChildren = ctx.parents.has(path);
  if (isObject(value) && hasChildren) return viewObject(value, path, ctx);
  if (Array.isArray(value) && hasChildren) {
    return value.map((item, i) => {
      const itemPath = childFieldPath(ctx.fields, path, i);
      const shown = itemPath ? viewValue(item, itemPath, ctx) : OMIT;
      return shown === OMIT ? null : shown;
    });
  }
  // Personal data that cannot be masked (a number, an opaque object) is not shown at all.
  if (mask && value !== null) return OMIT;
  return clone(value);
}

function viewObject(value: JsonObject, base: string, ctx: ViewContext): JsonObject {
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const path = childFieldPath(ctx.fields, base, key);
    if (path === undefined) continue; // not a field of this version: never sent
    const shown = viewValue(child, path, ctx);
    if (shown !== OMIT) assign(out, key, shown);
  }
  return out;
}

/** The projection of one value at a field path (used to recognise values sent back unchanged). */
export function viewAt(fields: FieldMap, viewer: FormViewer, path: string, value: unknown): unknown {
  const shown = viewValue(value, path, { fields, access: accessResolver(fields, viewer), parents: parentPaths(fields) });
  return shown === OMIT ? undefined : shown;
}

export function viewFor(form: Pick<FormDefinition, 'schema'>, data: unknown, viewer: FormViewer): JsonObject {
  if (!isObject(data)) return {};
  const fields = fieldsOf(form.schema as SchemaNode);
  return viewObject(data, '', { fields, access: accessResolver(fields, viewer), parents: parentPaths(fields) });
}
