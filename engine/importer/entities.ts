/**
 * The importer's tables (R37). Same conventions as ../store/entities.ts: text ids, epoch-ms BIGINT
 * times, JSON as TEXT, 0/1 integers for booleans.
 *
 * - `import_mappings`: reusable column → field mappings, by name.
 * - `import_jobs`: one dry or real run of one file, with its progress counters.
 * - `import_issues`: the validation report, one row per problem (row, column, field, message).
 * - `import_rejected_rows`: the original cells of every row a job refused, so the report can hand
 *   them back as a sheet to fix and import again.
 * - `imported_rows`: what makes a re-run idempotent — one row per imported case, keyed by the
 *   original case number or the hash of the normalised row, written in the case's transaction.
 */
import { EntitySchema } from '@mikro-orm/core';

const str = (length: number, nullable = false) => ({ type: 'string', columnType: `varchar(${length})`, nullable }) as const;
const text = (nullable = false) => ({ type: 'text', columnType: 'text', nullable }) as const;
const time = (nullable = false) => ({ type: 'bigint', columnType: 'bigint', nullable }) as const;
const int = (dflt = 0) => ({ type: 'integer', columnType: 'integer', nullable: false, default: dflt }) as const;

export const ImportMappingRow = new EntitySchema({
  name: 'ImportMappingRow',
  tableName: 'import_mappings',
  properties: {
    id: { ...str(64), primary: true },
    name: str(200),
    formKey: str(255),
    processKey: str(255, true),
    /** JSON {header: field | "case:…" | null}. */
    columns: text(),
    /** JSON {field: {raw value: stored value}} (not `values`: a reserved word in SQL). */
    valueMaps: text(),
    createdBy: str(100),
    createdAt: time(),
    updatedBy: str(100),
    updatedAt: time(),
  },
  // Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
  ...({ uniques: [{ properties: ['name'] }] } as object),
});

export const ImportJobRow = new EntitySchema({
  name: 'ImportJobRow',
  tableName: 'import_jobs',
  properties: {
    id: { ...str(64), primary: true },
    dryRun: int(0),
    /** queued | running | done | failed | interrupted */
    state: str(20),
    processKey: str(255),
    formKey: str(255),
    formVersion: int(0),
    /** The mapping as used (JSON), so a report can always say what was applied. */
    mapping: text(),
    mappingName: str(200, true),
    fileName: str(255),
    /** JSON array of the file's header row, for the sheet of refused rows. */
    headers: text(),
    fileSha256: str(64),
    lang: str(10),
    totalRows: int(0),
    rowsDone: int(0),
    imported: int(0),
    /** Rows already imported before (same case number or same normalised content). */
    duplicates: int(0),
    invalid: int(0),
    issueCount: int(0),
    error: text(true),
    createdBy: str(100),
    createdAt: time(),
    startedAt: time(true),
    /** Touched after every batch: a running job whose heartbeat stops was interrupted. */
    updatedAt: time(),
    finishedAt: time(true),
  },
  ...({ indexes: [{ properties: ['state'] }] } as object),
});

export const ImportIssueRow = new EntitySchema({
  name: 'ImportIssueRow',
  tableName: 'import_issues',
  properties: {
    id: { ...str(64), primary: true },
    jobId: str(64),
    /** 1-based row number in the sheet (the header is row 1); 0 for problems of the whole file. */
    rowNo: int(0),
    /** error (row refused) | duplicate (row skipped) | warning (row imported, something to know) */
    severity: str(20),
    columnName: str(255, true),
    field: str(500, true),
    code: str(60),
    message: text(),
    value: text(true),
  },
  ...({ indexes: [{ properties: ['jobId', 'rowNo'] }] } as object),
});

export const ImportRejectedRow = new EntitySchema({
  name: 'ImportRejectedRow',
  tableName: 'import_rejected_rows',
  properties: {
    jobId: { ...str(64), primary: true },
    rowNo: { type: 'integer', columnType: 'integer', nullable: false, primary: true },
    /** JSON array of the original cells. */
    cells: text(),
  },
});

export const ImportedRowKey = new EntitySchema({
  name: 'ImportedRowKey',
  tableName: 'imported_rows',
  properties: {
    processKey: { ...str(255), primary: true },
    /** `case:<original number>` or `row:<sha256 of the normalised row>`. */
    rowKey: { ...str(100), primary: true },
    instanceId: str(64),
    jobId: str(64),
    rowNo: int(0),
    importedAt: time(),
  },
});

export const importerEntities = [ImportMappingRow, ImportJobRow, ImportIssueRow, ImportRejectedRow, ImportedRowKey];
