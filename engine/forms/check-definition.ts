/**
 * Checking a form definition before it is stored (R0a): a broken definition is answered with
 * errors at JSON pointers into the definition (the route's 422), never stored.
 *
 * 1. the definition matches the meta-schema (schemas/form-definition.schema.ts);
 * 2. every keyword of the form schema is draft-07, ajv-formats, ajv-errors or a documented
 *    `x-loopdesk-*` keyword, and `x-loopdesk-*` values have their documented shape;
 * 3. the schema is a valid draft-07 schema and compiles in strict ajv, in both languages;
 * 4. uiSchema keys (and `ui:order` entries) name fields of the schema, recursively;
 * 5. FEEL in rules and computed fields parses and names existing top-level fields;
 * 6. lookups fill existing fields; migrations refer to real fields (of `previous` too, if given);
 * 7. the definition's examples are valid / invalid as they claim.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { evaluate } from 'feelin';
import {
  type FormDefinition,
  formDefinitionSchema,
  loopdeskKeywordSchemas,
  type Migration,
} from '../../schemas/form-definition.schema.ts';
import { type FieldMap, fieldsOf } from './fields.ts';
import { createFormAjv, LOOPDESK_KEYWORDS } from './form-ajv.ts';
import { fillTarget } from './lookup.ts';
import { localizeSchema } from './localize.ts';
import { formError } from './messages.ts';
import { ANY, childPointer, isObject, splitPointer } from './pointer.ts';
import { walkSchema } from './schema-walk.ts';
import { toFormErrors } from './submission-errors.ts';
import { compileFormSchema } from './validate-submission.ts';
import type { FormError, FormLang, SchemaNode } from './types.ts';

export interface CheckOptions {
  /** The version this one replaces: migrations are checked against its fields too. */
  previous?: Pick<FormDefinition, 'schema'>;
  /** Language of the messages (default zh-CN). */
  lang?: FormLang;
}

const JSON_SCHEMA_KEYWORDS = new Set([
  '$schema', '$id', '$ref', '$comment', 'title', 'description', 'default', 'readOnly', 'writeOnly', 'examples',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'additionalItems', 'items', 'maxItems', 'minItems', 'uniqueItems', 'contains', 'maxProperties', 'minProperties',
  'required', 'additionalProperties', 'definitions', 'properties', 'patternProperties', 'dependencies',
  'propertyNames', 'const', 'enum', 'type', 'format', 'contentMediaType', 'contentEncoding', 'if', 'then', 'else',
  'allOf', 'anyOf', 'oneOf', 'not',
  // ajv-formats
  'formatMinimum', 'formatMaximum', 'formatExclusiveMinimum', 'formatExclusiveMaximum',
  // ajv-errors
  'errorMessage',
]);

let definitionValidator: ValidateFunction | undefined;
let keywordValidators: Map<string, ValidateFunction> | undefined;

function metaValidators() {
  if (!definitionValidator || !keywordValidators) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    definitionValidator = ajv.compile(formDefinitionSchema);
    keywordValidators = new Map(LOOPDESK_KEYWORDS.map((k) => [k, ajv.compile(loopdeskKeywordSchemas[k])]));
  }
  return { definitionValidator, keywordValidators };
}

function prefixed(errors: FormError[], prefix: string): FormError[] {
  return errors.map((e) => ({ ...e, path: prefix + e.path, code: e.code.replace(/^LD_FORM_/, 'LD_FORM_DEF_') }));
}

function checkKeywords(schema: SchemaNode, lang: FormLang): FormError[] {
  const { keywordValidators } = metaValidators();
  const errors: FormError[] = [];
  walkSchema(schema, (node, pointer) => {
    for (const [keyword, value] of Object.entries(node)) {
      const at = `/schema${childPointer(pointer, keyword)}`;
      const validate = keywordValidators.get(keyword);
      if (validate) {
        if (!validate(value)) errors.push(...prefixed(toFormErrors(validate.errors, lang), at));
      } else if (!JSON_SCHEMA_KEYWORDS.has(keyword)) {
        errors.push(formError('LD_FORM_DEF_UNKNOWN_KEYWORD', at, lang, { keyword }));
      }
    }
  });
  return errors;
}

function compileErrorPath(message: string): string {
  const at = /at (?:path )?"#([^"]*)"/.exec(message)?.[1];
  return at === undefined ? '/schema' : `/schema${decodeURIComponent(at)}`;
}

function compileBoth(schema: SchemaNode, lang: FormLang): { errors: FormError[]; validate?: ValidateFunction } {
  const ajv = createFormAjv();
  if (!ajv.validateSchema(localizeSchema(schema, lang))) {
    return { errors: prefixed(toFormErrors(ajv.errors, lang), '/schema') };
  }
  let validate: ValidateFunction | undefined;
  for (const l of ['zh-CN', 'en'] as const) {
    try {
      const compiled = compileFormSchema(schema, l);
      if (l === lang) validate = compiled;
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return { errors: [formError('LD_FORM_DEF_SCHEMA_COMPILE', compileErrorPath(detail), lang, { detail })] };
    }
  }
  return { errors: [], validate };
}

function childField(fields: FieldMap, base: string, key: string): string | undefined {
  const exact = childPointer(base, key);
  if (fields.has(exact)) return exact;
  const any = childPointer(base, ANY);
  const parent = fields.get(base);
  if (key === 'items' && parent?.kind === 'array' && fields.has(any)) return any;
  if (key === 'additionalProperties' && parent?.kind === 'object' && fields.has(any)) return any;
  return undefined;
}

function checkUiSchema(ui: unknown, base: string, at: string, fields: FieldMap, lang: FormLang, errors: FormError[]) {
  if (!isObject(ui)) return;
  for (const [key, value] of Object.entries(ui)) {
    const here = childPointer(at, key);
    if (key === 'ui:order' && Array.isArray(value)) {
      value.forEach((name, i) => {
        if (name !== '*' && (typeof name !== 'string' || !fields.has(childPointer(base, name))))
          errors.push(formError('LD_FORM_DEF_UNKNOWN_FIELD', childPointer(here, i), lang, { field: childPointer(base, String(name)) }));
      });
      continue;
    }
    if (key.startsWith('ui:')) continue;
    const path = childField(fields, base, key);
    if (path === undefined) errors.push(formError('LD_FORM_DEF_UNKNOWN_FIELD', here, lang, { field: childPointer(base, key) }));
    else checkUiSchema(value, path, here, fields, lang, errors);
  }
}

/** Syntax and unknown top-level names of a FEEL expression. */
function checkFeel(expression: string, at: string, fields: FieldMap, lang: FormLang): FormError[] {
  const context: Record<string, null> = {};
  for (const path of fields.keys()) {
    const tokens = splitPointer(path);
    if (tokens.length === 1) context[tokens[0]] = null;
  }
  try {
    const { warnings } = evaluate(expression, context);
    return warnings
      .filter((w) => w.type === 'NO_VARIABLE_FOUND')
      .map((w) => formError('LD_FORM_DEF_FEEL_UNKNOWN_VARIABLE', at, lang, { name: expression.slice(w.position.from, w.position.to) }));
  } catch (e) {
    return [formError('LD_FORM_DEF_FEEL_SYNTAX', at, lang, { detail: e instanceof Error ? e.message : String(e) })];
  }
}

function checkValueFits(fieldSchema: SchemaNode, root: SchemaNode, value: unknown, lang: FormLang): string | undefined {
  let validate: ValidateFunction;
  try {
    validate = createFormAjv().compile({ ...localizeSchema(fieldSchema, lang), definitions: root.definitions ?? {} });
  } catch {
    return undefined; // e.g. relative $data references: checked when data is validated
  }
  if (validate(value)) return undefined;
  return toFormErrors(validate.errors, lang)
    .map((e) => e.message)
    .join('; ');
}

function checkMigrations(
  migrations: readonly Migration[],
  schema: SchemaNode,
  previous: FieldMap | undefined,
  lang: FormLang,
): FormError[] {
  const fields = fieldsOf(schema);
  const errors: FormError[] = [];
  const mustExist = (path: string, at: string) => {
    if (fields.has(path)) return true;
    errors.push(formError('LD_FORM_DEF_UNKNOWN_FIELD', at, lang, { field: path }));
    return false;
  };
  const mustBeGone = (path: string, at: string, op: string) => {
    if (fields.has(path)) errors.push(formError('LD_FORM_DEF_MIGRATION_FIELD_STILL_EXISTS', at, lang, { field: path, op }));
    else if (previous && !previous.has(path)) errors.push(formError('LD_FORM_DEF_MIGRATION_NOT_IN_PREVIOUS', at, lang, { field: path }));
  };
  const valueFits = (path: string, value: unknown, at: string) => {
    const field = fields.get(path);
    const detail = field && checkValueFits(field.schema, schema, value, lang);
    if (detail) errors.push(formError('LD_FORM_DEF_MIGRATION_VALUE', at, lang, { field: path, detail }));
  };
  migrations.forEach((m, i) => {
    const at = `/migrations/${i}`;
    switch (m.op) {
      case 'rename':
        mustBeGone(m.from, `${at}/from`, 'rename');
        mustExist(m.to, `${at}/to`);
        break;
      case 'drop':
        mustBeGone(m.path, `${at}/path`, 'drop');
        break;
      case 'default':
        if (mustExist(m.path, `${at}/path`)) valueFits(m.path, m.value, `${at}/value`);
        break;
      case 'map':
        if (mustExist(m.path, `${at}/path`))
          for (const [from, to] of Object.entries(m.values)) valueFits(m.path, to, childPointer(`${at}/values`, from));
        break;
    }
  });
  return errors;
}

function checkLookups(schema: SchemaNode, fields: FieldMap, lang: FormLang): FormError[] {
  const errors: FormError[] = [];
  const byDeclaration = new Map([...fields.values()].map((f) => [f.schema, f.path]));
  walkSchema(schema, (node, pointer) => {
    const lookup = node['x-loopdesk-lookup'];
    const by = byDeclaration.get(node);
    if (!isObject(lookup) || by === undefined) return;
    const at = `/schema${pointer}/x-loopdesk-lookup`;
    if (splitPointer(by).includes(ANY)) {
      errors.push(formError('LD_FORM_DEF_LOOKUP_IN_ARRAY', at, lang));
      return;
    }
    for (const target of Object.keys(isObject(lookup.fill) ? lookup.fill : {})) {
      const path = fillTarget(by, target);
      if (!fields.has(path)) errors.push(formError('LD_FORM_DEF_UNKNOWN_FIELD', childPointer(`${at}/fill`, target), lang, { field: path }));
    }
  });
  return errors;
}

/** Every problem of a definition, `[]` when it can be stored. */
export function checkFormDefinition(input: unknown, options: CheckOptions = {}): FormError[] {
  const lang = options.lang ?? 'zh-CN';
  const { definitionValidator } = metaValidators();
  if (!definitionValidator(input)) return prefixed(toFormErrors(definitionValidator.errors, lang), '');
  const def = input as FormDefinition;
  const schema = def.schema as SchemaNode;

  const keywordErrors = checkKeywords(schema, lang);
  if (keywordErrors.length > 0) return keywordErrors;
  const compiled = compileBoth(schema, lang);
  if (compiled.errors.length > 0) return compiled.errors;

  const fields = fieldsOf(schema);
  const errors: FormError[] = [];
  checkUiSchema(def.uiSchema, '', '/uiSchema', fields, lang, errors);
  (def.rules ?? []).forEach((rule, i) => {
    errors.push(...checkFeel(rule.when, `/rules/${i}/when`, fields, lang));
    if (rule.path !== undefined && !fields.has(rule.path))
      errors.push(formError('LD_FORM_DEF_UNKNOWN_FIELD', `/rules/${i}/path`, lang, { field: rule.path }));
  });
  walkSchema(schema, (node, pointer) => {
    const computed = node['x-loopdesk-computed'];
    if (isObject(computed) && typeof computed.feel === 'string')
      errors.push(...checkFeel(computed.feel, `/schema${pointer}/x-loopdesk-computed/feel`, fields, lang));
  });
  errors.push(...checkLookups(schema, fields, lang));
  const previous = options.previous ? fieldsOf(options.previous.schema as SchemaNode) : undefined;
  errors.push(...checkMigrations(def.migrations ?? [], schema, previous, lang));

  const validate = compiled.validate;
  (def.examples ?? []).forEach((example, i) => {
    if (!validate) return;
    const valid = validate(example.data) === true;
    if (valid === example.valid) return;
    const detail = valid ? '' : toFormErrors(validate.errors, lang).map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    errors.push(formError('LD_FORM_DEF_EXAMPLE_MISMATCH', `/examples/${i}`, lang, { expected: example.valid ? 'valid' : 'invalid', detail }));
  });
  return errors;
}

/** Thrown by `parseFormDefinition`; `errors` is what a 422 answers. */
export class FormDefinitionError extends Error {
  readonly code = 'LD_FORM_DEFINITION_INVALID';
  constructor(readonly errors: FormError[]) {
    super(errors.map((e) => `${e.path || '/'}: ${e.message}`).join('\n'));
    this.name = 'FormDefinitionError';
  }
}

/** The definition typed, or a `FormDefinitionError` listing what is wrong. */
export function parseFormDefinition(input: unknown, options: CheckOptions = {}): FormDefinition {
  const errors = checkFormDefinition(input, options);
  if (errors.length > 0) throw new FormDefinitionError(errors);
  return input as FormDefinition;
}
