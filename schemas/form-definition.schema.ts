/**
 * The meta-schema of a Loopdesk form definition, and the schemas of the `x-loopdesk-*`
 * keywords a form's JSON Schema may carry. Everything here is draft-07 and declared `as const`
 * so the TypeScript types below are derived from it (json-schema-to-ts), never written twice.
 *
 * A form definition is `{ key, title, description?, schema, uiSchema?, rules?, migrations?,
 * examples? }`. Its `schema` is a draft-07 JSON Schema of `type: "object"` that @rjsf/core
 * renders in the browser and ajv enforces on the server, so every conditional rule lives in the
 * schema itself (if/then/else, dependencies + oneOf, enum lists as oneOf + const + title, and
 * cross-field checks with ajv-formats' `formatExclusiveMinimum: { $data: "1/other" }`).
 *
 * Language convention: `title`, `description` and ajv-errors' `errorMessage` hold the zh-CN
 * text (the documents' language); `x-loopdesk-en` holds the English ones. Where a definition
 * names a text outside a schema (form title, reminders) it is either one string or
 * `{ "zh-CN": …, "en": … }`.
 *
 * The field-level keywords (all annotations for ajv; their meaning is implemented in engine/forms):
 *
 * - `x-loopdesk-read: string[]` roles that may read the field (and everything under it). Absent:
 *   every role. Restrictions compose down the tree: a child is readable only if its ancestors are.
 * - `x-loopdesk-write: string[]` roles that may change the field. Absent: every role that may read
 *   it. `readOnly: true` (standard) means no role writes it through a form: the server sets it
 *   (case number). A changed value for a field the viewer may not write is rejected at its path.
 * - `x-loopdesk-personal: true | "name" | "phone" | "email" | "id"` personal data: shown masked
 *   (138****5678, 陈*, c***@example.com, 110***********1234) to viewers without the `pii:read`
 *   permission; a masked value sent back unchanged keeps the stored real value. `format: "phone"`
 *   implies `"phone"`. `true` masks by the field's format, else as an id.
 * - `x-loopdesk-lookup: { source, key?, fill }` on a key field (e.g. customerId): when it changes
 *   the server looks the record up in `source` by `key` (default "id") and copies
 *   `fill: { targetField: recordProperty }` into the form. A target is a sibling property name or
 *   an absolute JSON pointer; a record property is a name or a JSON pointer into the record.
 * - `x-loopdesk-computed: true | { feel }` the value is computed, never typed (durations, R9):
 *   submitted values are ignored and the stored one kept; `{ feel }` is a FEEL expression over the
 *   form data that the engine evaluates (durations become ISO 8601 strings such as "P1DT7H").
 * - `x-loopdesk-en: { title?, description?, errorMessage? }` the English texts of this schema.
 * - `x-loopdesk-masked: true` only in schemas projected for a viewer: the value shown is masked.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** A text in both UI languages, or one string used for both. */
export const localizedTextSchema = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      properties: {
        'zh-CN': { type: 'string', minLength: 1 },
        en: { type: 'string', minLength: 1 },
      },
      required: ['zh-CN', 'en'],
      additionalProperties: false,
    },
  ],
} as const;
export type LocalizedText = FromSchema<typeof localizedTextSchema>;

/** A JSON pointer into the form data (RFC 6901); `*` stands for every array item. */
const dataPointerSchema = { type: 'string', pattern: '^(/[^/]*)+$' } as const;

/** A role name as the auth module hands it over (agent, supervisor, admin, …). */
const roleListSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
} as const;

export const readKeywordSchema = { ...roleListSchema, minItems: 1 } as const;
export const writeKeywordSchema = roleListSchema;

export const personalKeywordSchema = {
  oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['name', 'phone', 'email', 'id'] }],
} as const;
export type PersonalKind = 'name' | 'phone' | 'email' | 'id';

export const lookupKeywordSchema = {
  type: 'object',
  properties: {
    source: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_-]*$' },
    key: { type: 'string', minLength: 1 },
    fill: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string', minLength: 1 },
    },
  },
  required: ['source', 'fill'],
  additionalProperties: false,
} as const;
export type LookupKeyword = FromSchema<typeof lookupKeywordSchema>;

export const computedKeywordSchema = {
  oneOf: [
    { type: 'boolean', const: true },
    {
      type: 'object',
      properties: { feel: { type: 'string', minLength: 1 } },
      required: ['feel'],
      additionalProperties: false,
    },
  ],
} as const;
export type ComputedKeyword = FromSchema<typeof computedKeywordSchema>;

export const englishKeywordSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    errorMessage: { type: ['string', 'object'] },
  },
  additionalProperties: false,
} as const;

export const maskedKeywordSchema = { type: 'boolean' } as const;

/** Every `x-loopdesk-*` keyword a form schema may carry, with the schema of its value. */
export const loopdeskKeywordSchemas = {
  'x-loopdesk-read': readKeywordSchema,
  'x-loopdesk-write': writeKeywordSchema,
  'x-loopdesk-personal': personalKeywordSchema,
  'x-loopdesk-lookup': lookupKeywordSchema,
  'x-loopdesk-computed': computedKeywordSchema,
  'x-loopdesk-en': englishKeywordSchema,
  'x-loopdesk-masked': maskedKeywordSchema,
} as const;
export type LoopdeskKeyword = keyof typeof loopdeskKeywordSchemas;

/** A reminder (R32): shown to the user when `when` (FEEL over the form data) is true; never blocks. */
export const reminderRuleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]*$' },
    when: { type: 'string', minLength: 1 },
    remind: localizedTextSchema,
    path: dataPointerSchema,
  },
  required: ['when', 'remind'],
  additionalProperties: false,
} as const;
export type ReminderRule = FromSchema<typeof reminderRuleSchema>;

/**
 * How data of the previous version becomes data of this one (R33, R38), applied in order.
 * rename: the value moves unless the target already holds one; drop: removed; default: set when
 * absent or empty (a new required field); map: old enum values replaced by new ones.
 */
export const migrationSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { op: { const: 'rename' }, from: dataPointerSchema, to: dataPointerSchema },
      required: ['op', 'from', 'to'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { op: { const: 'drop' }, path: dataPointerSchema },
      required: ['op', 'path'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { op: { const: 'default' }, path: dataPointerSchema, value: {} },
      required: ['op', 'path', 'value'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        op: { const: 'map' },
        path: dataPointerSchema,
        values: { type: 'object', additionalProperties: {} },
      },
      required: ['op', 'path', 'values'],
      additionalProperties: false,
    },
  ],
} as const;
export type Migration = FromSchema<typeof migrationSchema>;

export const formDefinitionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://loopdesk.dev/schemas/form-definition.json',
  title: 'Loopdesk form definition',
  type: 'object',
  properties: {
    key: { type: 'string', pattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$', maxLength: 64 },
    title: localizedTextSchema,
    description: localizedTextSchema,
    schema: {
      type: 'object',
      properties: {
        $schema: { const: 'http://json-schema.org/draft-07/schema#' },
        type: { const: 'object' },
        properties: { type: 'object' },
      },
      required: ['type', 'properties'],
    },
    uiSchema: { type: 'object' },
    rules: { type: 'array', items: reminderRuleSchema },
    migrations: { type: 'array', items: migrationSchema },
    examples: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          note: { type: 'string' },
          data: { type: 'object' },
          valid: { type: 'boolean' },
        },
        required: ['data', 'valid'],
        additionalProperties: false,
      },
    },
  },
  required: ['key', 'title', 'schema'],
  additionalProperties: false,
} as const;

export type FormDefinition = FromSchema<typeof formDefinitionSchema>;
