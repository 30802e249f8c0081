/**
 * The one ajv configuration forms are compiled with: JSON Schema draft-07 (ajv's default class,
 * the dialect @rjsf/validator-ajv8 uses too), strict mode, all errors (needed by ajv-errors'
 * `errorMessage`), `$data` references (cross-field checks such as
 * `formatExclusiveMinimum: { $data: "1/assignedAt" }`), ajv-formats with its comparison keywords,
 * the `phone` format, and the `x-loopdesk-*` keywords registered as annotations.
 *
 * The browser uses this same instance through runtime-ui/src/forms/validator.ts (@rjsf's bundled
 * ajv-formats copy compares date-times as text, so it is not used).
 */
import { Ajv, type Options } from 'ajv';
import ajvErrorsModule from 'ajv-errors';
import addFormatsModule from 'ajv-formats';
import { type LoopdeskKeyword, loopdeskKeywordSchemas } from '../../schemas/form-definition.schema.ts';

// Both are CommonJS modules whose `module.exports` is the plugin; NodeNext types see the namespace.
type Plugin = (ajv: Ajv, options?: unknown) => Ajv;
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as Plugin;
const ajvErrors = ((ajvErrorsModule as { default?: unknown }).default ?? ajvErrorsModule) as Plugin;

export const LOOPDESK_KEYWORDS = Object.keys(loopdeskKeywordSchemas) as LoopdeskKeyword[];

/**
 * Telephone numbers as after-sales teams meet them: mainland mobiles (optionally +86), landlines
 * with area code and extension, 400/800 service numbers, and E.164 international numbers.
 */
export const PHONE_PATTERN =
  /^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4}|\+[1-9]\d{6,14})$/;

/** Formats Loopdesk adds to ajv-formats' set; pass to @rjsf's `customizeValidator({ customFormats })`. */
export const loopdeskFormats = { phone: PHONE_PATTERN } as const;

export const FORM_AJV_OPTIONS: Options = {
  strict: true,
  // `then: { required: ["safetyRisk"] }` names a property declared by the parent: allowed.
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  $data: true,
  logger: false,
};

/** A fresh ajv instance configured for form schemas. */
export function createFormAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ ...FORM_AJV_OPTIONS, ...options });
  addFormats(ajv);
  ajvErrors(ajv);
  for (const [name, pattern] of Object.entries(loopdeskFormats)) ajv.addFormat(name, pattern);
  for (const keyword of LOOPDESK_KEYWORDS) ajv.addKeyword({ keyword, metaSchema: loopdeskKeywordSchemas[keyword] });
  return ajv;
}
