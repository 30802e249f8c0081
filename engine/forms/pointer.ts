/**
 * JSON pointers (RFC 6901) over form data. Field paths use the same syntax with `*` standing for
 * every item of an array (or every value of a map), so `/nodes/*\/owner` names a field while
 * `/nodes/0/owner` names one value.
 */

export type JsonObject = { [key: string]: unknown };

export const ANY = '*';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapeToken);
}

export function joinPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('');
}

export function childPointer(parent: string, token: string | number): string {
  return `${parent}/${escapeToken(String(token))}`;
}

/** The parent pointer and the last token; the root has none. */
export function parentOf(pointer: string): { parent: string; token: string } | undefined {
  const tokens = splitPointer(pointer);
  const token = tokens.pop();
  return token === undefined ? undefined : { parent: joinPointer(tokens), token };
}

/** Ancestors of a pointer from the first level down to the pointer itself. */
export function pointerPrefixes(pointer: string): string[] {
  const tokens = splitPointer(pointer);
  return tokens.map((_, i) => joinPointer(tokens.slice(0, i + 1)));
}

export function getAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return current;
}

/**
 * Every concrete location a field path matches in `data`, with its value; `*` expands over the
 * items present. Locations whose parent is missing are not listed.
 */
export function expandPath(data: unknown, path: string): { pointer: string; value: unknown }[] {
  let found: { pointer: string; value: unknown }[] = [{ pointer: '', value: data }];
  for (const token of splitPointer(path)) {
    const next: { pointer: string; value: unknown }[] = [];
    for (const { pointer, value } of found) {
      if (token === ANY) {
        if (Array.isArray(value)) for (const [i, item] of value.entries()) next.push({ pointer: childPointer(pointer, i), value: item });
        else if (isObject(value)) for (const [k, v] of Object.entries(value)) next.push({ pointer: childPointer(pointer, k), value: v });
      } else if (Array.isArray(value) && /^\d+$/.test(token)) {
        next.push({ pointer: childPointer(pointer, token), value: value[Number(token)] });
      } else if (isObject(value)) {
        next.push({ pointer: childPointer(pointer, token), value: Object.hasOwn(value, token) ? value[token] : undefined });
      }
    }
    found = next;
  }
  return found;
}

/** Sets an own property, also one named `__proto__` (which plain assignment would not create). */
export function assign(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Sets a value, creating missing parent objects; mutates `data`. Only own properties are followed. */
export function setAt(data: JsonObject, pointer: string, value: unknown): void {
  const tokens = splitPointer(pointer);
  const last = tokens.pop();
  if (last === undefined) return;
  let current: unknown = data;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      current = current[Number(token)];
    } else if (isObject(current)) {
      const next = Object.hasOwn(current, token) ? current[token] : undefined;
      if (!isObject(next) && !Array.isArray(next)) assign(current, token, {});
      current = current[token];
    } else {
      return;
    }
  }
  if (Array.isArray(current) && /^\d+$/.test(last)) current[Number(last)] = value;
  else if (isObject(current)) assign(current, last, value);
}

/** Removes a value; mutates `data`. */
export function removeAt(data: unknown, pointer: string): void {
  const at = parentOf(pointer);
  if (!at) return;
  const parent = getAt(data, at.parent);
  if (isObject(parent) && Object.hasOwn(parent, at.token)) delete parent[at.token];
}

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** What counts as "not filled in" for statistics, defaults and migrations. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isEmptyValue);
  return false;
}
