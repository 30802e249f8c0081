import type { FormDefinition } from '../../schemas/form-definition.schema.ts';

export type { FormDefinition } from '../../schemas/form-definition.schema.ts';

/** The UI languages; every message this module produces exists in both. */
export type FormLang = 'zh-CN' | 'en';

/**
 * One problem with a definition or a submission. `path` is a JSON pointer (into the definition
 * for definition errors, into the form data for submission errors); `code` is stable for callers
 * to branch on (`LD_FORM_REQUIRED`, `LD_FORM_FIELD_READ_ONLY`, `LD_FORM_DEF_UNKNOWN_FIELD`, …).
 */
export interface FormError {
  path: string;
  message: string;
  code: string;
}

/** A reminder (R32): shown beside the field at `path`, never blocks completion. */
export interface FormReminder {
  path: string;
  message: string;
  rule?: string;
}

/** Who is looking at or submitting the form. `pii:read` in permissions unmasks personal data. */
export interface FormViewer {
  roles: readonly string[];
  permissions: readonly string[];
}

export const PII_READ = 'pii:read';

/**
 * A stored, checked definition together with its version. Validators are cached per
 * (key, version): a version's schema must not change after its first use (drafts use a fresh
 * version label per edit, e.g. `draft-<revision>`, or call `forgetForm(key)`).
 */
export type FormVersion = FormDefinition & { version: number | string };

/** A JSON Schema node as the engine walks it. */
export type SchemaNode = { [keyword: string]: unknown };
