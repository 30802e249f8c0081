/**
 * Where a text addressed by JSON pointer (a reminder, R32) can be shown: beside its field when
 * that field is on screen for the current data, otherwise in the list above the form — a reminder
 * about a hidden or absent field, or about the whole form (`''`), must still be seen.
 */
import type { RJSFSchema, SchemaUtilsType, UiSchema } from '@rjsf/utils';
import { escapeToken, getAt, isObject, splitPointer } from '../../../engine/forms/pointer.ts';
import type { PointedText } from './pointer.ts';

function isHiddenUi(ui: unknown): boolean {
  return isObject(ui) && (ui['ui:widget'] === 'hidden' || ui['ui:field'] === 'hidden');
}

/**
 * Whether @rjsf renders a visible field at `pointer` for `data`: every level is resolved the way
 * @rjsf resolves it (dependencies, if/then/else, $ref) and none is `ui:widget: hidden`.
 */
export function isFieldShown(
  schemaUtils: SchemaUtilsType,
  schema: RJSFSchema,
  uiSchema: UiSchema | undefined,
  data: unknown,
  pointer: string,
): boolean {
  let node = schemaUtils.retrieveSchema(schema, data as never);
  let ui: unknown = uiSchema;
  let at = '';
  for (const token of splitPointer(pointer)) {
    if (isHiddenUi(ui)) return false;
    let child: unknown;
    if (Array.isArray(node.items)) child = node.items[Number(token)] ?? node.additionalItems;
    else if (node.items !== undefined) child = node.items;
    else child = isObject(node.properties) && Object.hasOwn(node.properties, token) ? node.properties[token] : undefined;
    const arrayLevel = node.items !== undefined;
    ui = isObject(ui) ? (arrayLevel ? ui.items : ui[token]) : undefined;
    if (!isObject(child)) return false;
    at = `${at}/${escapeToken(token)}`;
    node = schemaUtils.retrieveSchema(child as RJSFSchema, getAt(data, at) as never);
  }
  return !isHiddenUi(ui);
}

export interface Placement<T extends PointedText> {
  /** Texts to show beside their field, by pointer. */
  beside: Map<string, T[]>;
  /** Texts whose field is not on screen (or that concern the whole form). */
  above: T[];
}

export function placeTexts<T extends PointedText>(texts: readonly T[], isShown: (pointer: string) => boolean): Placement<T> {
  const beside = new Map<string, T[]>();
  const above: T[] = [];
  for (const text of texts) {
    if (text.path !== '' && isShown(text.path)) beside.set(text.path, [...(beside.get(text.path) ?? []), text]);
    else above.push(text);
  }
  return { beside, above };
}
