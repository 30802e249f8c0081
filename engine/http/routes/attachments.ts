import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idParams } from '../../../schemas/api.ts';
import { attachmentContentQuery, attachmentErrorResponses, attachmentIdParams, attachmentListResponse, attachmentSchema } from '../../../schemas/attachments.ts';
import {
  ACCEPTED_TYPES,
  DiskFileStore,
  type FileStore,
  attachmentErrors,
  attachmentSettingsFromEnv,
  contentDisposition,
  deleteAttachment,
  listAttachments,
  openAttachment,
  uploadAttachment,
} from '../../attachments/index.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

/**
 * What a server may hand this plugin beside RouteDeps: another FileStore (an object store) and the
 * size limit. Without them the disk store and limit come from the environment (attachments/settings.ts).
 */
export interface AttachmentDeps {
  attachments?: { store?: FileStore; maxBytes?: number };
}

/** Room for the multipart boundaries and part headers around the file in Content-Length. */
const MULTIPART_SLACK = 64 * 1024;

const inlineable = new Set(ACCEPTED_TYPES.filter((t) => t.inlineable).map((t) => t.contentType));

export async function attachmentRoutes(app: FastifyInstance, deps: RouteDeps) {
  const { ctx } = deps;
  const given = (deps as RouteDeps & AttachmentDeps).attachments ?? {};
  const env = given.store && given.maxBytes ? undefined : attachmentSettingsFromEnv(process.env);
  const store = given.store ?? new DiskFileStore(env!.filesDir);
  const maxBytes = given.maxBytes ?? env!.maxBytes;
  // Registered here, not globally: only this plugin's routes accept multipart bodies. One byte over
  // the limit reaches the upload so it can tell "exactly the limit" from "too large".
  await app.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, parts: 20, fields: 10, fieldSize: 64 * 1024 }, throwFileSizeLimit: false });
  const r = typed(app);
  const tags = ['attachments'];

  r.post(
    '/api/instances/:id/attachments',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description: `Uploads one file to the case as multipart/form-data, field \`file\` (R14). The type is sniffed from the bytes (${ACCEPTED_TYPES.map((t) => t.contentType).join(', ')}); anything else is 415 LD_ATTACHMENT_TYPE_UNSUPPORTED, more than LOOPDESK_MAX_UPLOAD_MB is 413 LD_ATTACHMENT_TOO_LARGE, and neither keeps anything. 404 for a case the caller may not read.`,
        consumes: ['multipart/form-data'],
        params: idParams,
        response: { 201: attachmentSchema, ...attachmentErrorResponses },
      },
    },
    async (req, reply) => {
      let part: MultipartFile | undefined;
      try {
        const attachment = await uploadAttachment(
          ctx,
          store,
          req.params.id,
          userOf(req),
          async () => {
            part = await receiveFile(req, maxBytes);
            if (!part) return undefined;
            const file = part.file;
            return {
              fileName: part.filename,
              declaredType: part.mimetype,
              // Not destroyed when the upload stops early, so the rest of the body can be drained below.
              content: file.iterator({ destroyOnReturn: false }),
              truncated: () => file.truncated,
            };
          },
          { maxBytes, lang: req.lang, requestId: req.id },
        );
        return reply.status(201).send(attachment);
      } catch (err) {
        // Read and discard what the client is still sending, so it sees our answer, not a reset.
        part?.file.resume();
        throw err;
      }
    },
  );

  r.get(
    '/api/instances/:id/attachments',
    {
      config: { access: 'user' },
      schema: { tags, description: "The case's attachments, newest first (deleted ones left out).", params: idParams, response: { 200: attachmentListResponse, ...attachmentErrorResponses } },
    },
    async (req) => ({ items: await listAttachments(ctx, req.params.id, userOf(req)) }),
  );

  r.get(
    '/api/attachments/:id/content',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description:
          'The bytes, with the sniffed Content-Type, `Content-Disposition: attachment` (RFC 5987 file name) and `X-Content-Type-Options: nosniff`. `?inline=1` shows images in the browser; other types always download. 404 for anyone who may not read the case.',
        params: attachmentIdParams,
        querystring: attachmentContentQuery,
        response: attachmentErrorResponses,
      },
    },
    async (req, reply) => {
      const { attachment, content } = await openAttachment(ctx, store, req.params.id, userOf(req));
      const inline = (req.query.inline === '1' || req.query.inline === 'true') && inlineable.has(attachment.contentType);
      return reply
        .header('content-type', attachment.contentType)
        .header('content-length', attachment.size)
        .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', attachment.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        .header('cache-control', 'private, no-cache')
        .header('etag', `"${attachment.sha256}"`)
        .send(content);
    },
  );

  r.delete(
    '/api/attachments/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        description: 'Deletes an attachment (uploader, supervisor or admin): it disappears from the case; row, bytes and an audit entry stay.',
        params: attachmentIdParams,
        response: { 204: { type: 'null' }, ...attachmentErrorResponses },
      },
    },
    async (req, reply) => {
      await deleteAttachment(ctx, req.params.id, userOf(req), req.id);
      return reply.status(204).send(null);
    },
  );
}

/** The first file part of the body, after the cheap checks that need no body at all. */
async function receiveFile(req: FastifyRequest, maxBytes: number): Promise<MultipartFile | undefined> {
  if (!req.isMultipart()) throw attachmentErrors.notMultipart(req.lang);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_SLACK) throw attachmentErrors.tooLarge(req.lang, maxBytes);
  let part: MultipartFile | undefined;
  try {
    part = await req.file();
  } catch (err) {
    if (err instanceof LoopdeskError) throw err;
    throw attachmentErrors.malformed(req.lang);
  }
  if (part && part.fieldname !== 'file') {
    part.file.resume();
    return undefined;
  }
  return part;
}
