/**
 * Where draft-07 puts subschemas. Walking and mapping know these locations so that values of
 * `const`, `enum`, `default` or `examples` are never mistaken for schemas.
 */
import { childPointer, isObject } from './pointer.ts';
import type { SchemaNode } from './types.ts';

const SINGLE = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not'];
const LISTS = ['allOf', 'anyOf', 'oneOf'];
const MAPS = ['properties', 'patternProperties', 'definitions'];

/** Visits every schema object with its JSON pointer relative to the root (`''`). */
export function walkSchema(schema: unknown, visit: (node: SchemaNode, pointer: string) => void, pointer = ''): void {
  if (!isObject(schema)) return;
  visit(schema, pointer);
  for (const keyword of SINGLE) walkSchema(schema[keyword], visit, childPointer(pointer, keyword));
  const items = schema.items;
  if (Array.isArray(items)) for (const [i, s] of items.entries()) walkSchema(s, visit, childPointer(childPointer(pointer, 'items'), i));
  else walkSchema(items, visit, childPointer(pointer, 'items'));
  for (const keyword of LISTS) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const [i, s] of list.entries()) walkSchema(s, visit, childPointer(childPointer(pointer, keyword), i));
  }
  for (const keyword of [...MAPS, 'dependencies']) {
    const map = schema[keyword];
    if (!isObject(map)) continue;
    for (const [name, s] of Object.entries(map)) walkSchema(s, visit, childPointer(childPointer(pointer, keyword), name));
  }
}

/** A copy in which every schema object went through `f` (parents before children). */
export function mapSubschemas(schema: unknown, f: (node: SchemaNode) => SchemaNode): unknown {
  if (!isObject(schema)) return schema;
  const node = { ...f(schema) };
  for (const keyword of SINGLE) if (keyword in node) node[keyword] = mapSubschemas(node[keyword], f);
  if (Array.isArray(node.items)) node.items = node.items.map((s) => mapSubschemas(s, f));
  else if ('items' in node) node.items = mapSubschemas(node.items, f);
  for (const keyword of LISTS) {
    const list = node[keyword];
    if (Array.isArray(list)) node[keyword] = list.map((s) => mapSubschemas(s, f));
  }
  for (const keyword of [...MAPS, 'dependencies']) {
    const map = node[keyword];
    if (!isObject(map)) continue;
    node[keyword] = Object.fromEntries(
      Object.entries(map).map(([name, s]) => [name, Array.isArray(s) ? s : mapSubschemas(s, f)]),
    );
  }
  return node;
}
