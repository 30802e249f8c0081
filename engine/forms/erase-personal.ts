/**
 * Erasure of one person's data (R39, GDPR): the form data with every personal field removed —
 * `x-loopdesk-personal` or `format: "phone"` on the field or a field above it — and everything else
 * (types, scores, times) kept, so statistics stay whole.
 */
import { fieldAccess } from './field-access.ts';
import type { FieldMap } from './fields.ts';
import { fieldsOf } from './fields.ts';
import { isObject, type JsonObject } from './pointer.ts';
import type { FormDefinition, FormViewer, SchemaNode } from './types.ts';
import { childFieldPath, parentPaths } from './view-for.ts';

/** Personal data does not depend on who looks; any viewer resolves the same `personal` kind. */
const NOBODY: FormViewer = { roles: [], permissions: [] };

function eraseIn(value: unknown, path: string, fields: FieldMap, parents: ReadonlySet<string>): { value: unknown; erased: number } {
  if (path !== '' && fieldAccess(fields, path, NOBODY).personal) return { value: undefined, erased: 1 };
  if (!parents.has(path)) return { value, erased: 0 };
  if (Array.isArray(value)) {
    let erased = 0;
    const items = value.map((item, i) => {
      const itemPath = childFieldPath(fields, path, i);
      if (itemPath === undefined) return item;
      const r = eraseIn(item, itemPath, fields, parents);
      erased += r.erased;
      return r.value === undefined ? null : r.value;
    });
    return { value: items, erased };
  }
  if (!isObject(value)) return { value, erased: 0 };
  const out: JsonObject = {};
  let erased = 0;
  for (const [key, child] of Object.entries(value)) {
    const childPath = childFieldPath(fields, path, key);
    if (childPath === undefined) {
      out[key] = child;
      continue;
    }
    const r = eraseIn(child, childPath, fields, parents);
    erased += r.erased;
    if (r.value !== undefined) out[key] = r.value;
  }
  return { value: out, erased };
}

/** `data` without the personal fields of `form`, and how many values were removed. */
export function erasePersonal(form: Pick<FormDefinition, 'schema'>, data: unknown): { data: unknown; erased: number } {
  const fields = fieldsOf(form.schema as SchemaNode);
  const r = eraseIn(data, '', fields, parentPaths(fields));
  return { data: r.value, erased: r.erased };
}
