/**
 * Reading a legacy spreadsheet into rows of plain cells. CSV comes from many places: UTF-8 with or
 * without a BOM, or GBK/GB18030 when Chinese Excel saved it ("CSV (逗号分隔)"); we take it as UTF-8
 * when the bytes are valid UTF-8 and as GB18030 (a superset of GBK) otherwise — GBK text is almost
 * never valid UTF-8, while the reverse guess garbles every Chinese character. XLSX is read with
 * exceljs's streaming reader, first worksheet only, so a 100,000-row file does not build exceljs's
 * whole object model.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { LoopdeskError } from '../core/errors.ts';

/** A cell as read: text, number, boolean, a date (wall-clock time in its UTC fields), or empty. */
export type Cell = string | number | boolean | Date | null;

export interface Table {
  format: 'csv' | 'xlsx';
  /** For CSV: how the bytes were decoded. */
  encoding?: 'utf-8' | 'gb18030' | 'utf-16le';
  headers: string[];
  /** Data rows, without the header row; `rowNo` is the 1-based row in the sheet (header = 1). */
  rows: { rowNo: number; cells: Cell[] }[];
}

type Lang = 'zh-CN' | 'en';

export const readErrors = {
  unsupported: (lang: Lang) =>
    new LoopdeskError(
      'LD_IMPORT_FILE_UNSUPPORTED',
      415,
      lang === 'zh-CN' ? '只支持 .xlsx 和 .csv 文件（旧版 .xls 请另存为 .xlsx）' : 'only .xlsx and .csv files can be imported (save an old .xls as .xlsx)',
    ),
  unreadable: (lang: Lang, detail: string) =>
    new LoopdeskError('LD_IMPORT_FILE_UNREADABLE', 400, lang === 'zh-CN' ? `文件无法读取：${detail}` : `the file cannot be read: ${detail}`),
  empty: (lang: Lang) =>
    new LoopdeskError('LD_IMPORT_FILE_EMPTY', 400, lang === 'zh-CN' ? '文件中没有表头行' : 'the file has no header row'),
};

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** UTF-8 (BOM stripped) when the bytes are valid UTF-8, otherwise GB18030. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' | 'utf-16le' } {
  // Excel's "Unicode text" export: UTF-16LE with a BOM (and tabs, which Papa detects).
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), encoding: 'gb18030' };
  }
}

const isBlank = (cells: Cell[]) => cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));

function toTable(format: Table['format'], raw: Cell[][], rowNos: number[], lang: Lang, encoding?: Table['encoding']): Table {
  const first = raw.findIndex((r) => !isBlank(r));
  if (first < 0) throw readErrors.empty(lang);
  const headers = raw[first]!.map((h) => (h === null ? '' : String(h).trim()));
  const rows: Table['rows'] = [];
  for (let i = first + 1; i < raw.length; i++) {
    const cells = raw[i]!;
    if (!isBlank(cells)) rows.push({ rowNo: rowNos[i]!, cells });
  }
  return { format, encoding, headers, rows };
}

export function readCsv(bytes: Uint8Array, lang: Lang = 'en'): Table {
  const { text, encoding } = decodeText(bytes);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal && parsed.data.length === 0) throw readErrors.unreadable(lang, fatal.message);
  const raw: Cell[][] = parsed.data.map((r) => r.map((c) => (c === '' ? null : c)));
  return toTable('csv', raw, raw.map((_, i) => i + 1), lang, encoding);
}

/** exceljs cell values (rich text, formulas, hyperlinks, errors) to plain cells. */
export function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown; hyperlink?: string };
    if (Array.isArray(v.richText)) return v.richText.map((p) => p.text).join('');
    if ('result' in v) return plainCell(v.result);
    if (v.text !== undefined) return plainCell(v.text);
    if (v.error !== undefined) return null;
  }
  return String(value);
}

export async function readXlsx(bytes: Uint8Array, lang: Lang = 'en'): Promise<Table> {
  let read: { raw: Cell[][]; rowNos: number[] };
  try {
    read = await streamFirstSheet(bytes);
  } catch (streamError) {
    // ExcelJS's streaming reader now and then fails on a file it read a moment before ("reading
    // 'sheets'": the workbook part not parsed yet when a sheet arrives; seen once in CI on the
    // same bytes that were read twice before). The whole-file reader has no such race: try it
    // before calling the file unreadable.
    try {
      read = await loadFirstSheet(bytes);
    } catch {
      if (streamError instanceof LoopdeskError) throw streamError;
      throw readErrors.unreadable(lang, (streamError as Error).message);
    }
  }
  // The readers skip empty rows; pad ragged rows to the header's width later.
  return toTable('xlsx', read.raw, read.rowNos, lang);
}

const cellsOf = (row: ExcelJS.Row): Cell[] => {
  const values = row.values as unknown[];
  const cells: Cell[] = [];
  for (let c = 1; c < values.length; c++) cells.push(plainCell(values[c]));
  return cells;
};

/** The first sheet, streamed: memory stays flat for large files. */
export async function streamFirstSheet(bytes: Uint8Array): Promise<{ raw: Cell[][]; rowNos: number[] }> {
  const raw: Cell[][] = [];
  const rowNos: number[] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  let sheets = 0;
  for await (const sheet of reader) {
    // Later sheets are drained, not read: the first sheet is the data.
    if (sheets++ > 0) {
      for await (const _ of sheet) void _;
      continue;
    }
    for await (const row of sheet) {
      raw.push(cellsOf(row as ExcelJS.Row));
      rowNos.push((row as ExcelJS.Row).number);
    }
  }
  return { raw, rowNos };
}

/** The first sheet, from the whole file loaded at once. */
export async function loadFirstSheet(bytes: Uint8Array): Promise<{ raw: Cell[][]; rowNos: number[] }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const raw: Cell[][] = [];
  const rowNos: number[] = [];
  workbook.worksheets[0]?.eachRow((row, rowNo) => {
    raw.push(cellsOf(row));
    rowNos.push(rowNo);
  });
  return { raw, rowNos };
}

/** Reads CSV or XLSX, told apart by their bytes (an XLSX is a ZIP archive), never by the file name. */
export async function readTable(bytes: Uint8Array, lang: Lang = 'en'): Promise<Table> {
  if (startsWith(bytes, ZIP)) return readXlsx(bytes, lang);
  if (startsWith(bytes, OLE)) throw readErrors.unsupported(lang);
  if (bytes.includes(0) && !(bytes[0] === 0xff && bytes[1] === 0xfe)) {
    // NUL bytes: UTF-16 or binary, neither of which a spreadsheet program writes as "CSV".
    throw readErrors.unsupported(lang);
  }
  return readCsv(bytes, lang);
}
