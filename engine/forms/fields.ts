/**
 * The fields of a form schema: every property a user can fill, wherever the schema declares it —
 * in `properties`, or only inside a conditional branch (`dependencies` + `oneOf`, `then`/`else`,
 * `allOf`/`anyOf`/`oneOf`) as @rjsf shows and hides them. `if` schemas are conditions, not
 * declarations. The first declaration of a path wins (the main `properties` before branches), so
 * `{ const: "other" }` in a branch never replaces the field's real declaration.
 */
import { ANY, childPointer, isObject, pointerPrefixes, splitPointer } from './pointer.ts';
import type { SchemaNode } from './types.ts';

export interface FormField {
  /** JSON pointer of the field in the data; `*` for array items and map values. */
  path: string;
  /** The declaration: the subschema with its `x-loopdesk-*` annotations. */
  schema: SchemaNode;
  kind: 'object' | 'array' | 'value';
  /** Required wherever it is declared unconditionally (conditional `required` is not counted). */
  required: boolean;
  /** Declared only inside conditional branches (shown/hidden by another field). */
  conditional: boolean;
}

export type FieldMap = ReadonlyMap<string, FormField>;

const cache = new WeakMap<object, FieldMap>();

/** The fields of a schema by path (memoised per schema object). */
export function fieldsOf(schema: SchemaNode): FieldMap {
  let fields = cache.get(schema);
  if (!fields) {
    const out = new Map<string, FormField>();
    collect(schema, schema, '', false, out, new Set());
    fields = out;
    cache.set(schema, fields);
  }
  return fields;
}

function kindOf(node: SchemaNode): FormField['kind'] {
  const type = node.type;
  if (type === 'object' || (type === undefined && (isObject(node.properties) || node.additionalProperties !== undefined)))
    return 'object';
  if (type === 'array' || (type === undefined && node.items !== undefined)) return 'array';
  return 'value';
}

/** Resolves a local `$ref` (`#/definitions/x`); anything else is left as it is. */
export function resolveRef(root: SchemaNode, node: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#')) break;
    let target: unknown = root;
    for (const token of splitPointer(decodeURIComponent(ref.slice(1)))) target = isObject(target) ? target[token] : undefined;
    if (!isObject(target)) break;
    const { $ref: _, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

function declare(out: Map<string, FormField>, path: string, node: SchemaNode, required: boolean, conditional: boolean) {
  const existing = out.get(path);
  if (!existing) {
    out.set(path, { path, schema: node, kind: kindOf(node), required: required && !conditional, conditional });
    return;
  }
  if (!conditional) {
    existing.conditional = false;
    if (required) existing.required = true;
  }
}

function collect(
  root: SchemaNode,
  raw: unknown,
  base: string,
  conditional: boolean,
  out: Map<string, FormField>,
  refsOnPath: Set<string>,
): void {
  if (!isObject(raw)) return;
  const ref = typeof raw.$ref === 'string' ? raw.$ref : undefined;
  if (ref) {
    if (refsOnPath.has(ref)) return; // recursive schemas stop at the first repetition
    refsOnPath = new Set(refsOnPath).add(ref);
  }
  const node = resolveRef(root, raw);
  const required = new Set(Array.isArray(node.required) ? node.required.filter((r) => typeof r === 'string') : []);

  const children: [string, SchemaNode][] = [];
  if (isObject(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isObject(sub)) continue;
      const path = childPointer(base, name);
      const resolved = resolveRef(root, sub);
      declare(out, path, resolved, required.has(name), conditional);
      children.push([path, sub]);
    }
  }
  for (const map of [node.additionalProperties, ...Object.values(isObject(node.patternProperties) ? node.patternProperties : {})]) {
    if (!isObject(map)) continue;
    const path = childPointer(base, ANY);
    declare(out, path, resolveRef(root, map), false, conditional);
    children.push([path, map]);
  }
  const items = Array.isArray(node.items) ? node.items : node.items === undefined ? [] : [node.items];
  for (const item of [...items, node.additionalItems]) {
    if (!isObject(item)) continue;
    const path = childPointer(base, ANY);
    declare(out, path, resolveRef(root, item), false, conditional);
    children.push([path, item]);
  }
  for (const [path, sub] of children) collect(root, sub, path, conditional, out, refsOnPath);

  // Same data location, other declarations: unconditional first, then the branches.
  if (Array.isArray(node.allOf)) for (const sub of node.allOf) collect(root, sub, base, conditional, out, refsOnPath);
  for (const branch of [node.then, node.else]) collect(root, branch, base, true, out, refsOnPath);
  if (isObject(node.dependencies))
    for (const dep of Object.values(node.dependencies)) collect(root, dep, base, true, out, refsOnPath);
  for (const list of [node.anyOf, node.oneOf])
    if (Array.isArray(list)) for (const sub of list) collect(root, sub, base, true, out, refsOnPath);
}

/** The declared field for a concrete data pointer (`/nodes/3/owner` → `/nodes/*\/owner`). */
export function fieldAt(fields: FieldMap, pointer: string): FormField | undefined {
  const direct = fields.get(pointer);
  if (direct) return direct;
  const tokens = splitPointer(pointer);
  let path = '';
  for (const token of tokens) {
    const exact = childPointer(path, token);
    path = fields.has(exact) ? exact : childPointer(path, ANY);
  }
  return fields.get(path);
}

/** The declared field and its declared ancestors, outermost first. */
export function fieldChain(fields: FieldMap, path: string): FormField[] {
  return pointerPrefixes(path)
    .map((p) => fields.get(p))
    .filter((f): f is FormField => f !== undefined);
}

/** Fields that hold a value of their own for statistics: not objects, not inside arrays. */
export function leafFields(fields: FieldMap): FormField[] {
  return [...fields.values()].filter((f) => f.kind !== 'object' && !splitPointer(f.path).includes(ANY));
}
