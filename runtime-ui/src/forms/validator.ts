/**
 * The @rjsf validator for Loopdesk forms: the browser reports what the server's 422 would (R0a).
 *
 * - The ajv instance is made by the server's own `createFormAjv` (draft-07, ajv-formats 3 with its
 *   comparison keywords, ajv-errors, `$data`, the `phone` format, the `x-loopdesk-*` keywords).
 *   @rjsf/validator-ajv8 would otherwise add its own nested ajv-formats 2, whose
 *   `formatExclusiveMinimum` compares date-times as text and ignores their time zones.
 * - Errors are shaped by the server's `toFormErrors`: one error per field at its JSON pointer,
 *   messages from ajv-i18n (zh for zh-CN) or the schema's own `errorMessage`. @rjsf's own mapping
 *   would put if/then and ajv-errors `required` messages on the whole form and add the
 *   "must match exactly one schema in oneOf" noise of the show/hide pattern.
 *
 * Two options differ from the server's, neither changes what is valid: `strictTypes` is off
 * because @rjsf compiles fragments such as an `if` schema on their own (without the parent's
 * `type: "object"`), which strict types reject, and a rejected `if` would never show its `then`;
 * `verbose` stays on because @rjsf reads `parentSchema` from errors.
 */
import {
  createErrorHandler,
  type CustomValidator,
  type ErrorSchema,
  type ErrorTransformer,
  getDefaultFormState,
  type RJSFSchema,
  type RJSFValidationError,
  toErrorSchema,
  type UiSchema,
  unwrapErrorHandler,
  type ValidationData,
  type ValidatorType,
  validationDataMerge,
} from '@rjsf/utils';
import { type CustomValidatorOptionsType, customizeValidator } from '@rjsf/validator-ajv8';
import type { ErrorObject, Options } from 'ajv';
import { createFormAjv, FORM_AJV_OPTIONS, loopdeskFormats } from '../../../engine/forms/form-ajv.ts';
import { fieldAt, fieldsOf } from '../../../engine/forms/fields.ts';
import { toFormErrors } from '../../../engine/forms/submission-errors.ts';
import type { FormError, FormLang, SchemaNode } from '../../../engine/forms/types.ts';
import { errorSchemaOf, propertyOf } from './pointer.ts';

/** The options the browser's ajv is created with (on top of @rjsf's `allErrors`/`verbose` defaults). */
export const BROWSER_AJV_OPTIONS: Options = {
  ...FORM_AJV_OPTIONS,
  strictTypes: false,
  // @rjsf sets 8; the server compares `multipleOf` exactly.
  multipleOfPrecision: undefined,
};

// @rjsf constructs `new AjvClass(options)`; a constructor that returns an object makes `new` yield
// that object, so the instance comes from the very function the server uses.
const FormAjv = function FormAjv(options: Options) {
  return createFormAjv(options);
} as unknown as NonNullable<CustomValidatorOptionsType['AjvClass']>;

/** Options for @rjsf's `customizeValidator`, for tools that want the raw @rjsf validator. */
export const validatorOptions: CustomValidatorOptionsType = {
  AjvClass: FormAjv,
  ajvOptionsOverrides: BROWSER_AJV_OPTIONS,
  // createFormAjv has added ajv-formats 3 already.
  ajvFormatOptions: false,
  customFormats: loopdeskFormats,
};

function titleOf(schema: RJSFSchema, pointer: string): string {
  if (pointer === '') return '';
  const title = fieldAt(fieldsOf(schema as SchemaNode), pointer)?.schema.title;
  return typeof title === 'string' ? title : '';
}

/** A FormError as an entry of @rjsf's error list (`params.path` keeps the exact pointer). */
export function toRjsfError(error: FormError, schema: RJSFSchema): RJSFValidationError {
  const title = titleOf(schema, error.path);
  return {
    name: error.code,
    property: propertyOf(error.path),
    message: error.message,
    params: { path: error.path, code: error.code },
    stack: title ? `${title}: ${error.message}` : error.message,
    title,
  };
}

export class LoopdeskValidator implements ValidatorType {
  readonly lang: FormLang;
  private readonly inner: ValidatorType;

  constructor(lang: FormLang) {
    this.lang = lang;
    this.inner = customizeValidator(validatorOptions);
  }

  /** The errors of `formData` as the server would report them (`[]` when valid). */
  formErrors(formData: unknown, schema: RJSFSchema): FormError[] {
    const { errors, validationError } = this.inner.rawValidation<ErrorObject>(schema, formData);
    if (validationError) return [{ path: '', message: validationError.message, code: 'LD_FORM_DEF_SCHEMA_COMPILE' }];
    return errors && errors.length > 0 ? toFormErrors(errors, this.lang) : [];
  }

  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    const found = this.formErrors(formData, schema);
    let errors = found.map((e) => toRjsfError(e, schema));
    let errorSchema: ErrorSchema = errorSchemaOf(found);
    if (typeof transformErrors === 'function') {
      errors = transformErrors(errors, uiSchema);
      errorSchema = toErrorSchema(errors);
    }
    if (typeof customValidate !== 'function') return { errors, errorSchema };
    // As @rjsf's own validator does: the custom check sees the data with its undefined values.
    const withDefaults = getDefaultFormState(this, schema, formData, schema, true);
    const handler = customValidate(withDefaults, createErrorHandler(withDefaults), uiSchema, errorSchema);
    return validationDataMerge({ errors, errorSchema }, unwrapErrorHandler(handler));
  }

  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    return this.inner.isValid(schema, formData, rootSchema);
  }

  rawValidation<Result = unknown>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    return this.inner.rawValidation<Result>(schema, formData);
  }

  reset(): void {
    this.inner.reset?.();
  }
}

const validators = new Map<FormLang, LoopdeskValidator>();

/** The shared validator for a UI language (ajv caches compiled schemas per instance). */
export function validatorFor(lang: FormLang): LoopdeskValidator {
  let validator = validators.get(lang);
  if (!validator) {
    validator = new LoopdeskValidator(lang);
    validators.set(lang, validator);
  }
  return validator;
}
