/**
 * Computed fields (R9: durations are computed, never typed). `x-loopdesk-computed: { feel }` is
 * evaluated over the form data after a submission is merged; `x-loopdesk-computed: true` marks a
 * value the engine sets by other means (SLA clocks). Either way a client never writes it.
 */
import { evaluate } from 'feelin';
import type { ComputedKeyword } from '../../schemas/form-definition.schema.ts';
import { fieldsOf } from './fields.ts';
import { ANY, clone, isObject, type JsonObject, removeAt, setAt, splitPointer } from './pointer.ts';
import type { FormDefinition, SchemaNode } from './types.ts';

/** FEEL results as JSON: temporal values (durations, dates) become their ISO 8601 text. */
function toJson(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'object' && typeof value.toString === 'function' && value.toString !== Object.prototype.toString)
    return value.toString();
  return undefined;
}

/** Data with every `{ feel }` computed field (outside arrays) evaluated; a null result clears it. */
export function applyComputed(form: Pick<FormDefinition, 'schema'>, data: unknown): JsonObject {
  const out: JsonObject = isObject(data) ? clone(data) : {};
  for (const field of fieldsOf(form.schema as SchemaNode).values()) {
    const computed = field.schema['x-loopdesk-computed'] as ComputedKeyword | undefined;
    if (!isObject(computed) || splitPointer(field.path).includes(ANY)) continue;
    let value: unknown;
    try {
      value = toJson(evaluate(computed.feel, out).value);
    } catch {
      value = undefined;
    }
    if (value === undefined) removeAt(out, field.path);
    else setAt(out, field.path, value);
  }
  return out;
}
