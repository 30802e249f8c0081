/**
 * Folding what a viewer submitted into what is stored (R35, R39). `submitted` is the whole form as
 * the viewer edited it (what @rjsf sends): a writable field left out is cleared. Fields the viewer
 * may not write keep their stored value, and sending a different value for one is an error at its
 * path; a value equal to what the viewer was shown (masked, or the stored value) is not a change.
 * Computed fields are always kept from `stored`; properties that are not fields of the version are
 * ignored. Validate the merged data afterwards.
 */
import { accessResolver } from './field-access.ts';
import { type FieldMap, fieldsOf } from './fields.ts';
import { maskValue } from './mask.ts';
import { formError } from './messages.ts';
import { assign, childPointer, clone, deepEqual, isEmptyValue, isObject, type JsonObject } from './pointer.ts';
import type { FormDefinition, FormError, FormLang, FormViewer, SchemaNode } from './types.ts';
import { childFieldPath, parentPaths, viewAt } from './view-for.ts';

export type MergeResult = { data: JsonObject; errors?: undefined } | { errors: FormError[]; data?: undefined };

const REMOVE = Symbol('remove');

interface MergeContext {
  fields: FieldMap;
  viewer: FormViewer;
  access: ReturnType<typeof accessResolver>;
  parents: ReadonlySet<string>;
  lang: FormLang;
  errors: FormError[];
}

function mergeValue(
  stored: unknown,
  submitted: unknown,
  sent: boolean,
  path: string,
  pointer: string,
  ctx: MergeContext,
): unknown {
  const keep = stored === undefined ? REMOVE : clone(stored);
  const access = ctx.access(path);
  if (access.computed) return keep;
  if (!access.writable) {
    const unchanged =
      !sent ||
      deepEqual(submitted, stored) ||
      (isEmptyValue(submitted) && isEmptyValue(stored)) ||
      (access.readable && deepEqual(submitted, viewAt(ctx.fields, ctx.viewer, path, stored)));
    if (!unchanged) ctx.errors.push(formError('LD_FORM_FIELD_READ_ONLY', pointer, ctx.lang));
    return keep;
  }
  if (sent && access.mask && typeof stored === 'string' && submitted === maskValue(stored, access.mask)) return keep;
  if (ctx.parents.has(path)) {
    if (isObject(submitted) || (!sent && isObject(stored))) {
      const merged = mergeObject(isObject(stored) ? stored : {}, isObject(submitted) ? submitted : {}, path, pointer, ctx);
      return !sent && Object.keys(merged).length === 0 ? REMOVE : merged;
    }
    if (Array.isArray(submitted)) {
      return submitted.map((item, i) => {
        const itemPath = childFieldPath(ctx.fields, path, i);
        const before = Array.isArray(stored) ? stored[i] : undefined;
        if (!itemPath) return clone(item);
        const merged = mergeValue(before, item, true, itemPath, childPointer(pointer, i), ctx);
        return merged === REMOVE ? null : merged;
      });
    }
  }
  return sent ? clone(submitted) : REMOVE;
}

function mergeObject(stored: JsonObject, submitted: JsonObject, base: string, pointer: string, ctx: MergeContext): JsonObject {
  const out: JsonObject = {};
  const keys = new Set([...Object.keys(stored), ...Object.keys(submitted)]);
  for (const key of keys) {
    const sent = Object.hasOwn(submitted, key);
    const path = childFieldPath(ctx.fields, base, key);
    if (path === undefined) {
      // Not a field of this version: never taken from a client; stored values (older versions) stay.
      if (Object.hasOwn(stored, key) && stored[key] !== undefined) assign(out, key, clone(stored[key]));
      continue;
    }
    const before = Object.hasOwn(stored, key) ? stored[key] : undefined;
    const merged = mergeValue(before, sent ? submitted[key] : undefined, sent, path, childPointer(pointer, key), ctx);
    if (merged !== REMOVE && merged !== undefined) assign(out, key, merged);
  }
  return out;
}

/**
 * Merges a submission into the stored data of a case for one viewer. `stored` is `undefined` for a
 * new case. Returns the data to validate and store, or the fields the viewer may not change.
 */
export function mergeSubmission(
  form: Pick<FormDefinition, 'schema'>,
  stored: unknown,
  submitted: unknown,
  viewer: FormViewer,
  lang: FormLang = 'zh-CN',
): MergeResult {
  if (!isObject(submitted)) return { errors: [formError('LD_FORM_NOT_AN_OBJECT', '', lang)] };
  const fields = fieldsOf(form.schema as SchemaNode);
  const ctx: MergeContext = {
    fields,
    viewer,
    access: accessResolver(fields, viewer),
    parents: parentPaths(fields),
    lang,
    errors: [],
  };
  const data = mergeObject(isObject(stored) ? stored : {}, submitted, '', '', ctx);
  return ctx.errors.length > 0 ? { errors: ctx.errors } : { data };
}
