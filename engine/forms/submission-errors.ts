/**
 * ajv's raw errors → what a user can act on: one message per field, at the field's JSON pointer,
 * in the user's language.
 *
 * - `required` (and property `dependencies`) point at the missing property, not its parent.
 * - `if` errors are dropped: the failing `then`/`else` already says what is wrong.
 * - A failed `oneOf`/`anyOf` reports the branch the data chose: the one whose discriminating
 *   keywords (`const`, `enum`, `not`, `type`) passed — for the rjsf `dependencies` + `oneOf`
 *   show/hide pattern, that is the branch of the selected value. When every branch fails only on
 *   `const` (an enum written as oneOf + const + title), the result is one "allowed values" error.
 * - Messages come from ajv-i18n (zh for zh-CN), except `errorMessage` ones (ajv-errors), which
 *   are the schema's own texts, already projected to the language by `localizeSchema`.
 */
import type { ErrorObject } from 'ajv';
import localizeModule from 'ajv-i18n';
import { formError } from './messages.ts';
import { childPointer } from './pointer.ts';
import type { FormError, FormLang } from './types.ts';

type Localize = (errors?: ErrorObject[] | null) => void;
const locales = ((localizeModule as { default?: unknown }).default ?? localizeModule) as Record<string, Localize>;
const LOCALE_OF: Record<FormLang, string> = { 'zh-CN': 'zh', en: 'en' };

const DISCRIMINATING = new Set(['const', 'enum', 'not', 'type']);
const COMBINATORS = new Set(['oneOf', 'anyOf']);

function keywordsOf(error: ErrorObject): string[] {
  if (error.keyword === 'errorMessage' && Array.isArray(error.params.errors))
    return (error.params.errors as ErrorObject[]).map((e) => e.keyword);
  return [error.keyword];
}

function branchIndex(error: ErrorObject, prefix: string): string | undefined {
  const path = error.schemaPath;
  if (!path.startsWith(prefix)) return undefined;
  const end = path.indexOf('/', prefix.length);
  return end < 0 ? path.slice(prefix.length) : path.slice(prefix.length, end);
}

function resolveCombinators(input: readonly ErrorObject[]): ErrorObject[] {
  let errors = input.filter((e) => e.keyword !== 'if');
  // Most failures name a field directly; only oneOf/anyOf need the branch analysis below.
  if (!errors.some((e) => COMBINATORS.has(e.keyword))) return errors;
  const combinators = errors
    .filter((e) => COMBINATORS.has(e.keyword))
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const combinator of combinators) {
    if (!errors.includes(combinator)) continue;
    const prefix = `${combinator.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    const inBranches = new Set<ErrorObject>();
    for (const e of errors) {
      const index = branchIndex(e, prefix);
      if (index === undefined) continue;
      const list = branches.get(index);
      if (list) list.push(e);
      else branches.set(index, [e]);
      inBranches.add(e);
    }
    const others = errors.filter((e) => !inBranches.has(e));
    const candidates = [...branches.values()]
      .filter((list) => !list.some((e) => keywordsOf(e).some((k) => DISCRIMINATING.has(k))))
      .sort((a, b) => a.length - b.length);
    const multiplePassing = Array.isArray(combinator.params.passingSchemas);
    if (!multiplePassing && candidates.length > 0) {
      const chosen = new Set(candidates[0]);
      errors = errors.filter((e) => e !== combinator && (!inBranches.has(e) || chosen.has(e)));
      continue;
    }
    const branchErrors = [...inBranches];
    const onlyConsts =
      !multiplePassing &&
      branchErrors.length > 0 &&
      branchErrors.every((e) => e.keyword === 'const' && e.instancePath === combinator.instancePath);
    const replacement: ErrorObject = onlyConsts
      ? {
          ...combinator,
          keyword: 'enum',
          params: { allowedValues: branchErrors.map((e) => e.params.allowedValue) },
        }
      : combinator;
    errors = others.map((e) => (e === combinator ? replacement : e));
  }
  // Branches reached through $ref have schema paths outside the combinator's: when such errors
  // say what is wrong at the same place, the generic "must match a schema in anyOf" adds nothing.
  return errors.filter(
    (e) =>
      !COMBINATORS.has(e.keyword) ||
      !errors.some((other) => !COMBINATORS.has(other.keyword) && other.instancePath === e.instancePath),
  );
}

function pathOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
    case 'dependentRequired':
      return typeof p.missingProperty === 'string' ? childPointer(error.instancePath, p.missingProperty) : error.instancePath;
    case 'additionalProperties':
      return typeof p.additionalProperty === 'string' ? childPointer(error.instancePath, p.additionalProperty) : error.instancePath;
    case 'propertyNames':
      return typeof p.propertyName === 'string' ? childPointer(error.instancePath, p.propertyName) : error.instancePath;
    default:
      return error.instancePath;
  }
}

const codes = new Map<string, string>();
/** `minLength` → `LD_FORM_MIN_LENGTH`; memoised, as the set of keywords is small and fixed. */
function codeOf(keyword: string): string {
  let code = codes.get(keyword);
  if (code === undefined) {
    code = `LD_FORM_${keyword.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/\s+/g, '_').toUpperCase()}`;
    if (codes.size < 1_000) codes.set(keyword, code);
  }
  return code;
}

/** One message per place: a handful of errors at most, so a linear duplicate check beats building keys. */
function pushOnce(out: FormError[], path: string, message: string, keyword: string): void {
  for (const o of out) if (o.path === path && o.message === message) return;
  out.push({ path, message, code: codeOf(keyword) });
}

/** Turns the errors of one failed ajv validation into user-facing errors (never empty). */
export function toFormErrors(raw: readonly ErrorObject[] | null | undefined, lang: FormLang): FormError[] {
  // ajv hands out fresh error objects on every validation, so localising them in place is safe.
  const errors = resolveCombinators(raw ?? []);
  const plain = errors.filter((e) => e.keyword !== 'errorMessage');
  locales[LOCALE_OF[lang]]?.(plain);

  const out: FormError[] = [];
  for (const error of errors) {
    if (error.keyword === 'errorMessage') {
      const wrapped = Array.isArray(error.params.errors) ? (error.params.errors as ErrorObject[]) : [];
      if (wrapped.length === 0) pushOnce(out, error.instancePath, error.message ?? '', 'errorMessage');
      for (const w of wrapped) pushOnce(out, pathOf(w), error.message ?? '', w.keyword);
    } else {
      pushOnce(out, pathOf(error), error.message ?? '', error.keyword);
    }
  }
  return out.length > 0 ? out : [formError('LD_FORM_INVALID', '', lang)];
}
