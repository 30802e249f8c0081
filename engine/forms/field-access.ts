/**
 * What a viewer may do with one field (R35, R39), from the `x-loopdesk-*` annotations of the field
 * and of every field above it: restrictions compose downwards, so a child is never more visible
 * or more writable than its parent.
 */
import type { PersonalKind } from '../../schemas/form-definition.schema.ts';
import { type FieldMap, fieldChain } from './fields.ts';
import { PII_READ, type FormViewer, type SchemaNode } from './types.ts';

export interface FieldAccess {
  readable: boolean;
  /** false for unreadable, `readOnly`, computed fields and roles outside `x-loopdesk-write`. */
  writable: boolean;
  computed: boolean;
  /** The field holds personal data of this kind. */
  personal?: PersonalKind;
  /** Set when this viewer sees the value masked (personal data without `pii:read`). */
  mask?: PersonalKind;
}

function allows(list: unknown, roles: readonly string[]): boolean {
  return !Array.isArray(list) || list.some((role) => roles.includes(role));
}

/** The kind of personal data a declaration marks, if any (`format: "phone"` implies it). */
export function personalKindOf(schema: SchemaNode): PersonalKind | undefined {
  const marked = schema['x-loopdesk-personal'];
  if (marked === false) return undefined;
  if (typeof marked === 'string') return marked as PersonalKind;
  if (schema.format === 'phone') return 'phone';
  if (marked !== true) return undefined;
  return schema.format === 'email' ? 'email' : 'id';
}

export function isComputed(schema: SchemaNode): boolean {
  const computed = schema['x-loopdesk-computed'];
  return computed !== undefined && computed !== false;
}

export function fieldAccess(fields: FieldMap, path: string, viewer: FormViewer): FieldAccess {
  let readable = true;
  let writable = true;
  let computed = false;
  let personal: PersonalKind | undefined;
  for (const field of fieldChain(fields, path)) {
    const schema = field.schema;
    if (!allows(schema['x-loopdesk-read'], viewer.roles)) readable = false;
    if (!allows(schema['x-loopdesk-write'], viewer.roles)) writable = false;
    if (schema.readOnly === true) writable = false;
    if (isComputed(schema)) computed = true;
    personal = personalKindOf(schema) ?? personal;
  }
  if (!readable || computed) writable = false;
  const mask = personal && !viewer.permissions.includes(PII_READ) ? personal : undefined;
  return { readable, writable, computed, personal, mask };
}

/** `fieldAccess` memoised for one call over one form and one viewer. */
export function accessResolver(fields: FieldMap, viewer: FormViewer): (path: string) => FieldAccess {
  const memo = new Map<string, FieldAccess>();
  return (path) => {
    let access = memo.get(path);
    if (!access) {
      access = fieldAccess(fields, path, viewer);
      memo.set(path, access);
    }
    return access;
  };
}
