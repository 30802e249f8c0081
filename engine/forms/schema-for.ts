/**
 * The schema and uiSchema a viewer's browser renders with @rjsf, consistent with `viewFor` and
 * `mergeSubmission`: texts in the viewer's language; fields the viewer may not write are
 * `readOnly`; unreadable fields are hidden (`ui:widget: hidden`) and no longer required; masked
 * fields lose their format/length constraints (the masked text is not a valid phone number; the
 * server validates the real value) and carry `x-loopdesk-masked: true`.
 * Conditions (`if`, `not`) are left untouched so the form shows and hides the same fields.
 * Fields reached through `$ref` are projected by their declaration only where it is inlined.
 */
import { accessResolver } from './field-access.ts';
import { fieldsOf } from './fields.ts';
import { localizeSchema, localizeUiSchema } from './localize.ts';
import { ANY, assign, childPointer, isObject, type JsonObject, splitPointer } from './pointer.ts';
import type { FormDefinition, FormLang, FormViewer, SchemaNode } from './types.ts';

const VALUE_CONSTRAINTS = [
  'format', 'pattern', 'minLength', 'maxLength', 'formatMinimum', 'formatMaximum',
  'formatExclusiveMinimum', 'formatExclusiveMaximum', 'errorMessage',
];

type Access = ReturnType<typeof accessResolver>;

function project(raw: unknown, base: string, access: Access, hidden: Set<string>): unknown {
  if (!isObject(raw)) return raw;
  const node: SchemaNode = { ...raw };
  if (isObject(node.properties)) {
    const properties: JsonObject = {};
    for (const [name, sub] of Object.entries(node.properties)) {
      const path = childPointer(base, name);
      const a = access(path);
      const projected = project(sub, path, access, hidden);
      if (isObject(projected)) {
        if (!a.readable) hidden.add(path);
        if (!a.writable) projected.readOnly = true;
        if (a.mask) {
          for (const k of VALUE_CONSTRAINTS) delete projected[k];
          projected['x-loopdesk-masked'] = true;
        }
      }
      assign(properties, name, projected);
    }
    node.properties = properties;
    if (Array.isArray(node.required))
      node.required = node.required.filter((name) => typeof name !== 'string' || access(childPointer(base, name)).readable);
  }
  for (const key of ['items', 'additionalItems', 'additionalProperties'] as const) {
    const sub = node[key];
    if (Array.isArray(sub)) node[key] = sub.map((s) => project(s, childPointer(base, ANY), access, hidden));
    else if (isObject(sub)) node[key] = project(sub, childPointer(base, ANY), access, hidden);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) node[key] = list.map((s) => project(s, base, access, hidden));
  }
  for (const key of ['then', 'else'] as const) if (isObject(node[key])) node[key] = project(node[key], base, access, hidden);
  if (isObject(node.dependencies)) {
    node.dependencies = Object.fromEntries(
      Object.entries(node.dependencies).map(([k, dep]) => [k, Array.isArray(dep) ? dep : project(dep, base, access, hidden)]),
    );
  }
  return node;
}

function hideInUi(uiSchema: JsonObject, path: string): void {
  let current = uiSchema;
  for (const token of splitPointer(path)) {
    const key = token === ANY ? 'items' : token;
    if (!Object.hasOwn(current, key) || !isObject(current[key])) assign(current, key, {});
    current = current[key] as JsonObject;
  }
  current['ui:widget'] = 'hidden';
}

export function schemaFor(
  form: Pick<FormDefinition, 'schema' | 'uiSchema'>,
  viewer: FormViewer,
  lang: FormLang,
): { schema: SchemaNode; uiSchema: JsonObject } {
  const access = accessResolver(fieldsOf(form.schema as SchemaNode), viewer);
  const hidden = new Set<string>();
  const schema = project(localizeSchema(form.schema as SchemaNode, lang), '', access, hidden) as SchemaNode;
  const localizedUi = localizeUiSchema(form.uiSchema ?? {}, lang);
  const uiSchema = (isObject(localizedUi) ? localizedUi : {}) as JsonObject;
  for (const path of hidden) hideInUi(uiSchema, path);
  return { schema, uiSchema };
}
