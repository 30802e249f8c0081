/**
 * Server-side validation of submitted form data (R0a): the form's own draft-07 schema, compiled
 * once per (form key, version, language) and cached, so what @rjsf checks in the browser is
 * checked again here with the same schema.
 */
import type { ValidateFunction } from 'ajv';
import { createFormAjv } from './form-ajv.ts';
import { localizeSchema } from './localize.ts';
import { formError } from './messages.ts';
import { isObject } from './pointer.ts';
import { toFormErrors } from './submission-errors.ts';
import type { FormError, FormLang, FormVersion, SchemaNode } from './types.ts';

const MAX_CACHED = 500;
const validators = new Map<string, ValidateFunction>();
let compilations = 0;

/**
 * Fast path in front of the keyed cache: the validator per language remembered on the form object
 * itself, so a hot form skips building the key and reordering the LRU on every submission.
 * `generation` moves on with `forgetForm`, which invalidates every remembered validator.
 */
let generation = 0;
const remembered = new WeakMap<object, { generation: number; byLang: Partial<Record<FormLang, ValidateFunction>> }>();

function cacheKey(form: Pick<FormVersion, 'key' | 'version'>, lang: FormLang): string {
  return `${form.key}\u0000${String(form.version)}\u0000${lang}`;
}

/** Compiles a schema for one language, outside the cache (definition checks, tests, benchmarks). */
export function compileFormSchema(schema: SchemaNode, lang: FormLang): ValidateFunction {
  compilations++;
  return createFormAjv().compile(localizeSchema(schema, lang));
}

/**
 * The cached validator of a form version in a language. Throws if the schema does not compile —
 * definitions are checked with `checkFormDefinition` before they are stored, so that is a bug.
 */
export function validatorFor(form: Pick<FormVersion, 'key' | 'version' | 'schema'>, lang: FormLang): ValidateFunction {
  let memo = remembered.get(form);
  if (memo?.generation === generation) {
    const known = memo.byLang[lang];
    if (known) return known;
  } else {
    memo = { generation, byLang: {} };
    remembered.set(form, memo);
  }
  const validate = keyedValidator(form, lang);
  memo.byLang[lang] = validate;
  return validate;
}

function keyedValidator(form: Pick<FormVersion, 'key' | 'version' | 'schema'>, lang: FormLang): ValidateFunction {
  const key = cacheKey(form, lang);
  let validate = validators.get(key);
  if (validate) {
    // Least recently used goes first when the cache is full.
    validators.delete(key);
    validators.set(key, validate);
    return validate;
  }
  validate = compileFormSchema(form.schema as SchemaNode, lang);
  validators.set(key, validate);
  if (validators.size > MAX_CACHED) validators.delete(validators.keys().next().value as string);
  return validate;
}

/**
 * Validates data against the form version's schema. Returns `[]` when valid, otherwise errors
 * with JSON-pointer paths into the data and messages in `lang`. Validate what will be stored —
 * the result of `mergeSubmission` — not the raw request body (it may hold masked values).
 */
export function validateSubmission(
  form: Pick<FormVersion, 'key' | 'version' | 'schema'>,
  data: unknown,
  lang: FormLang,
): FormError[] {
  if (!isObject(data)) return [formError('LD_FORM_NOT_AN_OBJECT', '', lang)];
  const validate = validatorFor(form, lang);
  if (validate(data)) return [];
  return toFormErrors(validate.errors, lang);
}

/** Drops the cached validators of a form (all versions), e.g. after a draft changed in place. */
export function forgetForm(key: string): void {
  generation++;
  for (const cached of [...validators.keys()]) if (cached.startsWith(`${key}\u0000`)) validators.delete(cached);
}

/** How many schemas were compiled since start: lets tests prove "compiled once per version". */
export function compiledSchemaCount(): number {
  return compilations;
}
