/**
 * Uploading an attachment (R14). The order matters: the caller's right to read the case is checked
 * before a byte of the body is read; the bytes are sniffed (first 16) and counted as they stream to
 * the store, so a wrong type or an oversize file fails before anything is kept; the row and its
 * audit entry are written in one transaction, and if that fails the stored bytes are removed again.
 */
import type { AttachmentView } from '../../schemas/attachments.ts';
import { LoopdeskError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { type AttachmentRow, assertCaseReadable, toView } from './attachments.ts';
import { type Lang, attachmentErrors } from './errors.ts';
import type { FileStore } from './FileStore.ts';
import { displayFileName } from './fileName.ts';
import { SNIFF_BYTES, type SniffedType, sniff } from './sniff.ts';

/** One file as the transport received it (a multipart part). */
export interface IncomingFile {
  /** The client's name; cleaned and used for display only. */
  fileName?: string;
  /** The client's declared Content-Type; recorded nowhere, the sniffed type wins. */
  declaredType?: string;
  content: AsyncIterable<Uint8Array>;
  /** True when the transport cut the file at its own size limit. */
  truncated?: () => boolean;
}

export interface UploadOptions {
  maxBytes: number;
  lang: Lang;
  requestId?: string;
}

/**
 * Passes the bytes through unchanged while counting them and sniffing the first SNIFF_BYTES.
 * Errors of the source (a broken or aborted multipart body) become LD_ATTACHMENT_MALFORMED.
 */
async function* checked(file: IncomingFile, opts: UploadOptions, found: (t: SniffedType) => void): AsyncGenerator<Buffer> {
  let head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let typed = false;
  const identify = (bytes: Buffer) => {
    const type = sniff(bytes);
    if (!type) throw attachmentErrors.unsupportedType(opts.lang);
    found(type);
    typed = true;
  };
  try {
    for await (const raw of file.content) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      size += chunk.byteLength;
      if (size > opts.maxBytes) throw attachmentErrors.tooLarge(opts.lang, opts.maxBytes);
      if (typed) {
        yield chunk;
        continue;
      }
      head.push(chunk);
      headBytes += chunk.byteLength;
      if (headBytes >= SNIFF_BYTES) {
        const first = Buffer.concat(head);
        head = [];
        identify(first);
        yield first;
      }
    }
  } catch (err) {
    if (err instanceof LoopdeskError) throw err;
    throw attachmentErrors.malformed(opts.lang);
  }
  if (file.truncated?.()) throw attachmentErrors.tooLarge(opts.lang, opts.maxBytes);
  if (!typed) {
    if (headBytes === 0) throw attachmentErrors.empty(opts.lang);
    const first = Buffer.concat(head);
    identify(first);
    yield first;
  }
}

/**
 * Stores a file on the case. `receive` opens the upload only after the permission check, so a
 * caller who may not see the case gets 404 without the server reading their body.
 */
export async function uploadAttachment(
  ctx: EngineContext,
  store: FileStore,
  instanceId: string,
  who: Principal,
  receive: () => Promise<IncomingFile | undefined>,
  opts: UploadOptions,
): Promise<AttachmentView> {
  await assertCaseReadable(ctx, instanceId, who);
  const file = await receive();
  if (!file) throw attachmentErrors.missing(opts.lang);
  let type: SniffedType | undefined;
  const stored = await store.put(
    checked(file, opts, (t) => {
      type = t;
    }),
  );
  try {
    if (!type) throw new Error('the store finished without reading the file');
    const sniffed: SniffedType = type;
    return await command(ctx, async (tx, now) => {
      const row: AttachmentRow = {
        id: newId(),
        instanceId,
        fileName: displayFileName(file.fileName, sniffed),
        contentType: sniffed.contentType,
        size: stored.size,
        sha256: stored.sha256,
        storageKey: stored.key,
        uploadedBy: who.username,
        uploadedAt: now,
      };
      await tx.run(
        `INSERT INTO attachments (id, instance_id, file_name, content_type, size, sha256, storage_key, uploaded_by, uploaded_at, deleted_at, deleted_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
        [row.id, row.instanceId, row.fileName, row.contentType, row.size, row.sha256, row.storageKey, row.uploadedBy, row.uploadedAt],
      );
      const view = toView(row);
      await audit(tx, now, { actor: who.username, action: 'attachment.upload', entityType: 'attachment', entityId: row.id, after: view, requestId: opts.requestId });
      return view;
    });
  } catch (err) {
    await store.delete(stored.key).catch(() => undefined);
    throw err;
  }
}
