/**
 * The validation report of an import job as XLSX (R37): a summary sheet, every problem (row →
 * column → field → message), and the refused rows with their original cells and an error column
 * — fix them in that sheet and import it again. Written with exceljs's streaming writer, page by
 * page from the database, so a report of 100,000 rows never sits in memory whole.
 */
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { EngineContext } from '../usecases/context.ts';
import { isoInChina } from './dates.ts';
import { type IssueRowDb, jobHeaders, toIssue } from './jobs.ts';
import type { Lang } from './mapping.ts';
import type { Issue } from './prepare.ts';

const PAGE = 2000;
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh-CN' ? zh : en);

const SEVERITY: Record<Issue['severity'], [string, string]> = {
  error: ['错误（未导入）', 'error (not imported)'],
  duplicate: ['重复（已跳过）', 'duplicate (skipped)'],
  warning: ['提示（已导入）', 'warning (imported)'],
};

/** Streams the report; resolves once the workbook is written (errors destroy the stream). */
export async function importReport(ctx: EngineContext, jobId: string, lang: Lang): Promise<{ fileName: string; stream: Readable }> {
  const { job, headers } = await jobHeaders(ctx, jobId);
  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const bold = { font: { bold: true } };

    const summary = wb.addWorksheet(t(lang, '汇总', 'Summary'));
    summary.columns = [{ width: 22 }, { width: 60 }];
    const line = (k: string, v: unknown) => summary.addRow([k, v]).commit();
    line(t(lang, '文件', 'File'), job.fileName);
    line(t(lang, '流程', 'Process'), job.processKey);
    line(t(lang, '表单', 'Form'), `${job.formKey} v${job.formVersion}`);
    line(t(lang, '映射', 'Mapping'), job.mappingName ?? t(lang, '（随文件提交）', '(sent with the file)'));
    line(t(lang, '方式', 'Mode'), job.dryRun ? t(lang, '试运行（未写入任何数据）', 'dry run (nothing written)') : t(lang, '正式导入', 'import'));
    line(t(lang, '状态', 'State'), job.state);
    line(t(lang, '总行数', 'Rows'), job.totalRows);
    line(t(lang, '已处理', 'Processed'), job.rowsDone);
    line(job.dryRun ? t(lang, '可导入', 'Would be imported') : t(lang, '已导入', 'Imported'), job.imported);
    line(t(lang, '重复（跳过）', 'Duplicates (skipped)'), job.duplicates);
    line(t(lang, '有误（未导入）', 'Refused'), job.invalid);
    line(t(lang, '问题条数', 'Problems'), job.issueCount);
    line(t(lang, '发起人', 'Started by'), job.createdBy);
    line(t(lang, '开始时间', 'Started at'), isoInChina(job.createdAt));
    if (job.error) line(t(lang, '失败原因', 'Failure'), job.error);
    summary.commit();

    const issues = wb.addWorksheet(t(lang, '问题明细', 'Problems'));
    issues.columns = [
      { header: t(lang, '行号', 'Row'), width: 8 },
      { header: t(lang, '类别', 'Kind'), width: 16 },
      { header: t(lang, '列', 'Column'), width: 18 },
      { header: t(lang, '字段', 'Field'), width: 18 },
      { header: t(lang, '代码', 'Code'), width: 28 },
      { header: t(lang, '说明', 'Message'), width: 60 },
      { header: t(lang, '原值', 'Value'), width: 30 },
    ];
    issues.getRow(1).font = bold.font;
    let last = { row: -1, id: '' };
    for (;;) {
      const page = await ctx.db.all<IssueRowDb & { id: string }>(
        `SELECT id, row_no, severity, column_name, field, code, message, value FROM import_issues
         WHERE job_id = ? AND (row_no > ? OR (row_no = ? AND id > ?)) ORDER BY row_no, id LIMIT ${PAGE}`,
        [jobId, last.row, last.row, last.id],
      );
      for (const r of page) {
        const i = toIssue(r);
        const [zh, en] = SEVERITY[i.severity];
        issues.addRow([i.rowNo || t(lang, '整个文件', 'file'), t(lang, zh, en), i.column ?? '', i.field ?? '', i.code, i.message, i.value ?? '']).commit();
      }
      if (page.length < PAGE) break;
      const tail = page[page.length - 1]!;
      last = { row: Number(tail.row_no), id: tail.id };
    }
    issues.commit();

    const rejected = wb.addWorksheet(t(lang, '未导入的行', 'Refused rows'));
    const errorHeader = t(lang, '错误说明', 'Errors');
    rejected.columns = [...headers.map((h) => ({ header: h, width: Math.min(40, Math.max(10, h.length * 2)) })), { header: t(lang, '原行号', 'Row'), width: 8 }, { header: errorHeader, width: 60 }];
    rejected.getRow(1).font = bold.font;
    let after = -1;
    for (;;) {
      const page = await ctx.db.all<{ row_no: number; cells: string }>(
        `SELECT row_no, cells FROM import_rejected_rows WHERE job_id = ? AND row_no > ? ORDER BY row_no LIMIT ${PAGE}`,
        [jobId, after],
      );
      if (!page.length) break;
      const first = Number(page[0]!.row_no);
      after = Number(page[page.length - 1]!.row_no);
      const errors = await ctx.db.all<{ row_no: number; column_name: string | null; message: string }>(
        "SELECT row_no, column_name, message FROM import_issues WHERE job_id = ? AND severity = 'error' AND row_no BETWEEN ? AND ? ORDER BY row_no, id",
        [jobId, first, after],
      );
      const byRow = new Map<number, string[]>();
      for (const e of errors) {
        const list = byRow.get(Number(e.row_no)) ?? [];
        list.push(e.column_name ? `${e.column_name}：${e.message}` : e.message);
        byRow.set(Number(e.row_no), list);
      }
      for (const r of page) {
        const cells = JSON.parse(r.cells) as unknown[];
        const padded = headers.map((_, i) => cells[i] ?? null);
        rejected.addRow([...padded, Number(r.row_no), (byRow.get(Number(r.row_no)) ?? []).join('；')]).commit();
      }
      if (page.length < PAGE) break;
    }
    rejected.commit();
    await wb.commit();
  };
  write().catch((err) => out.destroy(err as Error));
  const safe = job.fileName.replace(/\.[^.]+$/, '') || 'import';
  return { fileName: `${safe}-report.xlsx`, stream: out };
}
