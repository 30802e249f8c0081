/**
 * Moving data of one form version to the next (R0d, R33, R38) with the migrations the new
 * version declares. Pure: returns new data; validate it against the new version afterwards.
 * Paths are JSON pointers; `*` applies an operation to every item of an array.
 */
import type { Migration } from '../../schemas/form-definition.schema.ts';
import { clone, expandPath, getAt, isEmptyValue, isObject, type JsonObject, removeAt, setAt } from './pointer.ts';

export type { Migration } from '../../schemas/form-definition.schema.ts';

/** Concrete pointers of `path` (with `*` expanded), keeping the last token literal. */
function locations(data: JsonObject, path: string): string[] {
  const cut = path.lastIndexOf('/');
  const parent = path.slice(0, cut);
  const last = path.slice(cut);
  return expandPath(data, parent)
    .filter(({ value }) => isObject(value))
    .map(({ pointer }) => pointer + last);
}

/** `from` and `to` share their `*` positions: the n-th match of one is the n-th of the other. */
function renameTargets(data: JsonObject, from: string, to: string): [string, string][] {
  if (!from.includes('*')) return [[from, to]];
  const sources = locations(data, from);
  const fromTokens = from.split('/');
  const toTokens = to.split('/');
  return sources.map((source) => {
    const concrete = source.split('/');
    const wildcards = fromTokens.flatMap((t, i) => (t === '*' ? [concrete[i]] : []));
    let n = 0;
    return [source, toTokens.map((t) => (t === '*' ? (wildcards[n++] ?? t) : t)).join('/')];
  });
}

export function migrate(data: unknown, migrations: readonly Migration[] | undefined): JsonObject {
  const out: JsonObject = isObject(data) ? clone(data) : {};
  for (const m of migrations ?? []) {
    switch (m.op) {
      case 'rename':
        for (const [from, to] of renameTargets(out, m.from, m.to)) {
          const value = getAt(out, from);
          if (value === undefined) continue;
          removeAt(out, from);
          // A value already at the target wins: merging a duplicated field never loses data.
          if (isEmptyValue(getAt(out, to))) setAt(out, to, value);
        }
        break;
      case 'drop':
        for (const at of locations(out, m.path)) removeAt(out, at);
        break;
      case 'default':
        if (!m.path.includes('*')) {
          if (isEmptyValue(getAt(out, m.path))) setAt(out, m.path, clone(m.value));
        } else {
          for (const at of locations(out, m.path)) if (isEmptyValue(getAt(out, at))) setAt(out, at, clone(m.value));
        }
        break;
      case 'map':
        for (const at of locations(out, m.path)) {
          const value = getAt(out, at);
          if (typeof value === 'string' && Object.hasOwn(m.values, value)) setAt(out, at, clone(m.values[value]));
        }
        break;
    }
  }
  return out;
}
