/**
 * JSON Schemas of the import and export routes (R37, R39). Uploads are multipart/form-data (the
 * file in the field `file`, the options as text fields), so those routes have no JSON body schema;
 * the mapping they carry is checked against `importMappingSchema` by the importer itself.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { uploadErrorResponses } from './api.ts';

export const importErrorResponses = uploadErrorResponses;

// No `type` on the values: the API's ajv coerces types, which would turn a mapped `null` or `true`
// into text. The importer checks they are a string, number, boolean or null (parseMapping).
const valueMap = {
  type: 'object',
  description: 'raw value in the file → value stored (a string, number, boolean or null), e.g. {"紧急": "high", "未登记": null}',
  additionalProperties: {},
} as const;

export const importMappingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['formKey', 'columns'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    formKey: { type: 'string', minLength: 1, maxLength: 255 },
    processKey: { type: 'string', minLength: 1, maxLength: 255 },
    columns: {
      type: 'object',
      description:
        'header in the file → a top-level field key of the form, or case:number | case:status | case:node | case:openedAt | case:closedAt | case:assignee; null ignores the column',
      additionalProperties: { type: ['string', 'null'], maxLength: 255 },
    },
    values: {
      type: 'object',
      description: 'per target (field key or case:status / case:node): raw value → stored value',
      additionalProperties: valueMap,
    },
  },
} as const;

export type ImportMappingBody = FromSchema<typeof importMappingSchema>;

export const savedMappingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'formKey', 'columns', 'values', 'updatedAt', 'updatedBy'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    formKey: { type: 'string' },
    processKey: { type: ['string', 'null'] },
    columns: importMappingSchema.properties.columns,
    values: importMappingSchema.properties.values,
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'integer' },
    updatedBy: { type: 'string' },
  },
} as const;

export const saveMappingBody = { ...importMappingSchema, required: ['name', 'formKey', 'columns'] } as const;

export const mappingListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: savedMappingSchema } },
} as const;

export const mappingListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { formKey: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const issueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rowNo', 'severity', 'code', 'message'],
  properties: {
    rowNo: { type: 'integer', description: 'row in the sheet (the header is row 1); 0 for the whole file' },
    severity: { type: 'string', enum: ['error', 'duplicate', 'warning'], description: 'error: row refused; duplicate: already imported, skipped; warning: imported' },
    column: { type: ['string', 'null'], description: 'the header of the column at fault' },
    field: { type: ['string', 'null'], description: 'JSON pointer into the form data, or a case:… target' },
    code: { type: 'string' },
    message: { type: 'string' },
    value: { type: ['string', 'null'] },
  },
} as const;

export const importJobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'dryRun', 'state', 'processKey', 'formKey', 'totalRows', 'rowsDone', 'imported', 'duplicates', 'invalid', 'issueCount'],
  properties: {
    id: { type: 'string' },
    dryRun: { type: 'boolean' },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'interrupted'] },
    processKey: { type: 'string' },
    formKey: { type: 'string' },
    formVersion: { type: 'integer' },
    mappingName: { type: ['string', 'null'] },
    mapping: { type: 'object', additionalProperties: true },
    fileName: { type: 'string' },
    encoding: { type: ['string', 'null'] },
    totalRows: { type: 'integer' },
    rowsDone: { type: 'integer' },
    progress: { type: 'number', description: 'rowsDone / totalRows, 0…1' },
    imported: { type: 'integer', description: 'cases created (a dry run: rows that would be)' },
    duplicates: { type: 'integer', description: 'rows already imported before (same case number or same content)' },
    invalid: { type: 'integer', description: 'rows refused so far' },
    issueCount: { type: 'integer' },
    issues: { type: 'array', items: issueSchema, description: 'the first problems found (the full list is in report.xlsx)' },
    error: { type: ['string', 'null'] },
    createdBy: { type: 'string' },
    createdAt: { type: 'integer' },
    startedAt: { type: ['integer', 'null'] },
    finishedAt: { type: ['integer', 'null'] },
  },
} as const;

export type ImportJobView = FromSchema<typeof importJobSchema>;

export const importAccepted = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string' }, state: { type: 'string' }, totalRows: { type: 'integer' } },
} as const;

export const importIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const suggestionResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['formKey', 'columns', 'values', 'details', 'missingRequired', 'unresolvedValues', 'headers'],
  properties: {
    formKey: { type: 'string' },
    processKey: { type: ['string', 'null'] },
    headers: { type: 'array', items: { type: 'string' } },
    columns: importMappingSchema.properties.columns,
    values: importMappingSchema.properties.values,
    details: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { header: { type: 'string' }, target: { type: ['string', 'null'] }, score: { type: 'number' } },
      },
    },
    missingRequired: { type: 'array', items: { type: 'string' } },
    unresolvedValues: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    rows: { type: 'integer' },
    encoding: { type: ['string', 'null'] },
  },
} as const;

export const exportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['processKey'],
  properties: {
    processKey: { type: 'string', minLength: 1, maxLength: 255 },
    from: { type: 'string', maxLength: 40, description: 'cases started at or after (ISO 8601; a date alone is midnight in +08:00)' },
    to: { type: 'string', maxLength: 40, description: 'cases started before (ISO 8601; a date alone means the end of that day in +08:00)' },
    format: { type: 'string', enum: ['csv', 'xlsx'], default: 'xlsx' },
  },
} as const;
