/**
 * Forms: definitions, validation, role-aware views and field statistics. Pure — no database, no
 * HTTP; the store and the routes call these functions. See README.md beside this file.
 */
export type {
  FormDefinition,
  LocalizedText,
  LookupKeyword,
  Migration,
  PersonalKind,
  ReminderRule,
} from '../../schemas/form-definition.schema.ts';
export { formDefinitionSchema, loopdeskKeywordSchemas } from '../../schemas/form-definition.schema.ts';
export type { FormError, FormLang, FormReminder, FormVersion, FormViewer, SchemaNode } from './types.ts';
export { PII_READ } from './types.ts';

// Definitions
export { checkFormDefinition, FormDefinitionError, parseFormDefinition, type CheckOptions } from './check-definition.ts';
export { diffFields, type FieldChange, type FieldDiff } from './diff-fields.ts';
export { fieldsOf, type FormField } from './fields.ts';
export { migrate } from './migrate.ts';

// Submissions
export { validateSubmission, forgetForm, compiledSchemaCount, compileFormSchema } from './validate-submission.ts';
export { reminders } from './reminders.ts';
export { mergeSubmission, type MergeResult } from './merge-submission.ts';
export { applyComputed } from './computed.ts';
export { applyLookup, lookupRequests, lookupsOf, type FormLookup } from './lookup.ts';

// Viewers
export { viewFor } from './view-for.ts';
export { schemaFor } from './schema-for.ts';
export { fieldAccess, type FieldAccess } from './field-access.ts';
export { maskEmail, maskId, maskName, maskPhone, maskValue } from './mask.ts';
export { localizeSchema, localizeUiSchema, textIn } from './localize.ts';

// Statistics (R38)
export {
  accumulateFieldUsage,
  fieldUsageDelta,
  rarelyFilledFields,
  type FieldUsage,
  type FieldUsageDelta,
  type FieldUsageStats,
} from './field-usage.ts';

// The ajv configuration, for the browser validator and tools that need the same behaviour
export { createFormAjv, FORM_AJV_OPTIONS, LOOPDESK_KEYWORDS, loopdeskFormats, PHONE_PATTERN } from './form-ajv.ts';
