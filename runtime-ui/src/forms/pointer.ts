/**
 * JSON pointers (what the server's `{ path, message }` errors and reminders use) ↔ what @rjsf
 * uses: `ErrorSchema` trees for `extraErrors`, dotted `property` strings on its error list, and
 * `root_a_b` ids on the rendered inputs. ErrorSchemas are built from pointer tokens, never from
 * dotted strings, so a key containing `.` or `[` lands on the right field.
 */
import { ERRORS_KEY, type ErrorSchema, ErrorSchemaBuilder } from '@rjsf/utils';
import { joinPointer, splitPointer } from '../../../engine/forms/pointer.ts';

/** Anything placed at a JSON pointer in the form data: a server error, a reminder. */
export interface PointedText {
  path: string;
  message: string;
}

/** The ErrorSchema that shows each message beside the field at its pointer (`''`: the whole form). */
export function errorSchemaOf(errors: readonly PointedText[]): ErrorSchema {
  const builder = new ErrorSchemaBuilder();
  for (const { path, message } of errors) builder.addErrors(message, splitPointer(path));
  return builder.ErrorSchema;
}

/** Every message of an ErrorSchema with the pointer of the field it is shown at (inverse of `errorSchemaOf`). */
export function errorsOfSchema(errorSchema: ErrorSchema | undefined): PointedText[] {
  const out: PointedText[] = [];
  const visit = (node: unknown, tokens: string[]) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === ERRORS_KEY) {
        if (Array.isArray(value)) for (const message of value) out.push({ path: joinPointer(tokens), message: String(message) });
      } else {
        visit(value, [...tokens, key]);
      }
    }
  };
  visit(errorSchema, []);
  return out;
}

/** @rjsf's `property` for a pointer: `/items/0/name` → `.items.0.name`, the root → `''`. */
export function propertyOf(pointer: string): string {
  return splitPointer(pointer)
    .map((token) => `.${token}`)
    .join('');
}

/** The pointer of an @rjsf error `property` (`.items.0.name`, `items[0].name`); keys with `.` are ambiguous there. */
export function pointerOfProperty(property: string | undefined): string {
  return joinPointer((property ?? '').split(/[.[\]]+/).filter(Boolean));
}

/** The id @rjsf gives the input of the field at a pointer (default `idPrefix` "root", separator "_"). */
export function fieldIdOf(pointer: string, idPrefix = 'root', separator = '_'): string {
  return [idPrefix, ...splitPointer(pointer)].join(separator);
}
