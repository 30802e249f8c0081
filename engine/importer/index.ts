/**
 * Bringing existing cases in and taking data out (R37, R39): CSV/XLSX reading, column mappings
 * suggested from header names, dry runs with a validation report, background import jobs that
 * create cases in their historical state, and masked case exports.
 */
export { type ExportFile, type ExportQuery, exportCases } from './export.ts';
export { importerEntities } from './entities.ts';
export { toEpochMs, toIsoDate, toIsoDateTime } from './dates.ts';
export {
  DEFAULT_BATCH_SIZE,
  type ImportJob,
  type ImportProgress,
  type StartImportInput,
  type StartImportOptions,
  getImportJob,
  markInterruptedJobs,
  resolveTarget,
  startImport,
  suggestForFile,
} from './jobs.ts';
export { CASE_TARGETS, type ImportMapping, type MappingSuggestion, suggestMapping } from './mapping.ts';
export { type SavedMapping, listMappings, mappingByName, parseMapping, saveMapping } from './mappings.ts';
export type { Issue } from './prepare.ts';
export { type Cell, type Table, decodeText, readTable } from './read.ts';
export { XLSX_TYPE, importReport } from './report.ts';
