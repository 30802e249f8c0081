/**
 * Language projection of schemas and definition texts. A form schema holds zh-CN texts in
 * `title` / `description` / `errorMessage` and English ones in `x-loopdesk-en`; the projection
 * for a language is a plain draft-07 schema @rjsf and ajv use unchanged.
 */
import type { LocalizedText } from '../../schemas/form-definition.schema.ts';
import { assign, isObject } from './pointer.ts';
import { mapSubschemas } from './schema-walk.ts';
import type { FormLang, SchemaNode } from './types.ts';

const ENGLISH = 'x-loopdesk-en';
const TRANSLATED = ['title', 'description', 'errorMessage'] as const;

export function textIn(text: LocalizedText | undefined, lang: FormLang): string {
  if (text === undefined) return '';
  return typeof text === 'string' ? text : text[lang];
}

/** A copy of the schema with the texts of `lang`; the input is not changed. */
export function localizeSchema<T extends SchemaNode>(schema: T, lang: FormLang): T {
  return mapSubschemas(schema, (node) => {
    const english = node[ENGLISH];
    if (lang !== 'en' || !isObject(english)) return node;
    const out: SchemaNode = { ...node };
    for (const keyword of TRANSLATED) if (english[keyword] !== undefined) out[keyword] = english[keyword];
    return out;
  }) as T;
}

const UI_TEXTS = new Set(['ui:title', 'ui:description', 'ui:help', 'ui:placeholder']);

/** uiSchema texts may be `{ "zh-CN", "en" }` objects; this picks one language (recursively). */
export function localizeUiSchema(uiSchema: unknown, lang: FormLang): unknown {
  if (Array.isArray(uiSchema)) return uiSchema.map((item) => localizeUiSchema(item, lang));
  if (!isObject(uiSchema)) return uiSchema;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(uiSchema)) {
    assign(out, key, UI_TEXTS.has(key) && isObject(value) && typeof value[lang] === 'string' ? value[lang] : localizeUiSchema(value, lang));
  }
  return out;
}
