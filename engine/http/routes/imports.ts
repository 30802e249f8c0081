import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  exportQuery,
  importAccepted,
  importErrorResponses,
  importIdParams,
  importJobSchema,
  mappingListQuery,
  mappingListResponse,
  saveMappingBody,
  savedMappingSchema,
  suggestionResponse,
} from '../../../schemas/imports.ts';
import { contentDisposition } from '../../attachments/index.ts';
import { LoopdeskError } from '../../core/errors.ts';
import {
  type ImportJob,
  type ImportMapping,
  XLSX_TYPE,
  exportCases,
  getImportJob,
  importReport,
  listMappings,
  markInterruptedJobs,
  parseMapping,
  saveMapping,
  startImport,
  suggestForFile,
} from '../../importer/index.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

type Lang = 'zh-CN' | 'en';

const say = (lang: Lang, zh: string, en: string) => (lang === 'zh-CN' ? zh : en);

/** LOOPDESK_MAX_IMPORT_MB (default 100): the largest file an import accepts. */
function maxImportBytes(): number {
  const mb = Number(process.env.LOOPDESK_MAX_IMPORT_MB ?? 100);
  return (Number.isFinite(mb) && mb > 0 ? mb : 100) * 1024 * 1024;
}

interface Upload {
  file: Buffer;
  fileName: string;
  fields: Record<string, string>;
}

/** The file (field `file`) and the text fields of a multipart request, whatever their order. */
async function receiveUpload(req: FastifyRequest, maxBytes: number): Promise<Upload> {
  const lang = req.lang;
  if (!req.isMultipart()) {
    throw new LoopdeskError('LD_IMPORT_NOT_MULTIPART', 415, say(lang, '请以 multipart/form-data 上传，文件放在字段 file 中', 'upload as multipart/form-data with the file in the field "file"'));
  }
  let file: Buffer | undefined;
  let fileName = 'import';
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const f = part as MultipartFile;
        if (f.fieldname !== 'file' || file) {
          f.file.resume();
          continue;
        }
        file = await f.toBuffer();
        fileName = f.filename || fileName;
        if (f.file.truncated) {
          throw new LoopdeskError('LD_IMPORT_TOO_LARGE', 413, say(lang, `文件过大：最大 ${maxBytes / 1024 / 1024} MB`, `the file is larger than ${maxBytes / 1024 / 1024} MB`));
        }
      } else fields[part.fieldname] = String((part as { value: unknown }).value ?? '');
    }
  } catch (err) {
    if (err instanceof LoopdeskError) throw err;
    throw new LoopdeskError('LD_IMPORT_MALFORMED', 400, say(lang, '上传数据不完整或格式错误', 'the multipart upload is incomplete or malformed'));
  }
  if (!file?.length) throw new LoopdeskError('LD_IMPORT_FILE_MISSING', 400, say(lang, '请在字段 file 中上传一个 .xlsx 或 .csv 文件', 'send one .xlsx or .csv file in the field "file"'));
  return { file, fileName, fields };
}

/** `mapping`: a JSON mapping or the name of a saved one; `mappingName`: a saved one by name. */
function mappingField(fields: Record<string, string>, lang: Lang): ImportMapping | string | undefined {
  const raw = fields.mapping?.trim();
  if (raw?.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new LoopdeskError('LD_IMPORT_MAPPING_INVALID', 422, say(lang, 'mapping 字段不是有效的 JSON', 'the field "mapping" is not valid JSON'));
    }
    return parseMapping(parsed, lang);
  }
  return raw || fields.mappingName?.trim() || undefined;
}

const flag = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export async function importRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const maxBytes = maxImportBytes();
  // Registered here, not globally: only this plugin's routes take multipart bodies.
  await app.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, parts: 20, fields: 10, fieldSize: 1024 * 1024 }, throwFileSizeLimit: false });
  const r = typed(app);
  const tags = ['imports'];
  const importers = ['admin', 'supervisor'] as ('admin' | 'supervisor')[];

  // Jobs run in this process after the 202; stopping the server stops them between batches.
  const stop = new AbortController();
  const running = new Set<Promise<ImportJob>>();
  app.addHook('onClose', async () => {
    stop.abort();
    await Promise.allSettled([...running]);
  });
  await markInterruptedJobs(ctx).catch(() => undefined);

  r.post(
    '/api/imports',
    {
      config: { access: importers },
      schema: {
        tags,
        description:
          'Starts an import of existing cases (R37) from an .xlsx or .csv file (UTF-8, with or without BOM, or GBK) sent as multipart/form-data: `file`, and the text fields `processKey`, `formKey` (either; the other is derived), `mapping` (a mapping as JSON, or the name of a saved mapping; without one the suggested mapping is used), `dryRun` (true: validate every row and write only the report). Answers 202 with the job id at once; follow it with GET /api/imports/:id. Re-running a file imports nothing twice.',
        consumes: ['multipart/form-data'],
        response: { 202: importAccepted, ...importErrorResponses },
      },
    },
    async (req, reply) => {
      const upload = await receiveUpload(req, maxBytes);
      const { job, done } = await startImport(
        ctx,
        {
          file: upload.file,
          fileName: upload.fileName,
          processKey: upload.fields.processKey?.trim() || undefined,
          formKey: upload.fields.formKey?.trim() || undefined,
          mapping: mappingField(upload.fields, req.lang),
          dryRun: flag(upload.fields.dryRun),
        },
        userOf(req),
        { lang: req.lang, requestId: req.id, signal: stop.signal },
      );
      running.add(done);
      void done.finally(() => running.delete(done));
      return reply.status(202).send({ id: job.id, state: job.state, totalRows: job.totalRows });
    },
  );

  r.post(
    '/api/imports/suggest-mapping',
    {
      config: { access: importers },
      schema: {
        tags,
        description:
          'Proposes a mapping for a file (multipart: `file`, and `formKey` and/or `processKey`): each header matched to a form field or case attribute by the form\'s Chinese and English titles, field keys and synonyms (紧急程度 / urgency / 优先级 → urgency), and value maps for the list values found (紧急 → high). Save it with POST /api/import-mappings after review.',
        consumes: ['multipart/form-data'],
        response: { 200: suggestionResponse, ...importErrorResponses },
      },
    },
    async (req) => {
      const upload = await receiveUpload(req, maxBytes);
      return suggestForFile(ctx, { file: upload.file, formKey: upload.fields.formKey?.trim() || undefined, processKey: upload.fields.processKey?.trim() || undefined }, req.lang);
    },
  );

  r.get(
    '/api/imports/:id',
    {
      config: { access: importers },
      schema: {
        tags,
        description: 'Progress of an import job: rows done of total, cases imported, duplicates skipped, rows refused so far, and the first problems.',
        params: importIdParams,
        response: { 200: importJobSchema, ...importErrorResponses },
      },
    },
    async (req) => getImportJob(ctx, req.params.id),
  );

  r.get(
    '/api/imports/:id/report.xlsx',
    {
      config: { access: importers },
      schema: {
        tags,
        description: 'The validation report as XLSX: summary, every problem (row → column → field → message), and the refused rows with their original cells to fix and import again.',
        params: importIdParams,
        produces: [XLSX_TYPE],
        response: importErrorResponses,
      },
    },
    async (req, reply) => {
      const report = await importReport(ctx, req.params.id, req.lang);
      return reply.header('content-type', XLSX_TYPE).header('content-disposition', contentDisposition('attachment', report.fileName)).header('cache-control', 'no-store').send(report.stream);
    },
  );

  r.get(
    '/api/import-mappings',
    {
      config: { access: importers },
      schema: { tags, description: 'Saved mappings, by name.', querystring: mappingListQuery, response: { 200: mappingListResponse, ...importErrorResponses } },
    },
    async (req) => ({ items: await listMappings(ctx, req.query.formKey) }),
  );

  r.post(
    '/api/import-mappings',
    {
      config: { access: importers },
      schema: {
        tags,
        description: 'Saves a mapping under its name for reuse (replacing one of the same name): columns {header → field key or case:number | case:status | case:node | case:openedAt | case:closedAt | case:assignee}, values {target → {raw → stored}}.',
        body: saveMappingBody,
        response: { 200: savedMappingSchema, ...importErrorResponses },
      },
    },
    async (req) => saveMapping(ctx, req.body as ImportMapping & { name: string }, userOf(req), { lang: req.lang, requestId: req.id }),
  );

  r.get(
    '/api/exports/cases',
    {
      config: { access: 'user' },
      schema: {
        tags: ['exports'],
        description:
          "The cases of a process started in [from, to) with their form data: `format=csv` (streamed, UTF-8 with BOM) or `xlsx` (sheets of cases and of node visits with durations). Personal data masked (138****5678, 陈*) unless the caller has pii:read; fields the caller's roles may not read are left out; supervisors and admins get every case, others the cases they may open. Headers in Chinese with Accept-Language: zh-CN.",
        querystring: exportQuery,
        produces: ['text/csv', XLSX_TYPE],
        response: importErrorResponses,
      },
    },
    async (req, reply) => {
      const file = await exportCases(ctx, req.query, userOf(req), req.lang);
      return reply.header('content-type', file.contentType).header('content-disposition', contentDisposition('attachment', file.fileName)).header('cache-control', 'no-store').send(file.stream);
    },
  );
}
