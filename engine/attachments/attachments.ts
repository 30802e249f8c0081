/**
 * Reading and deleting attachments (R14). Whoever may read the case (usecases/instances.ts
 * getInstance) may list and download its attachments; anyone else gets 404, as for the case itself,
 * so not even an attachment's existence leaks. Deleting is for the uploader, supervisors and admins;
 * it is soft (the row and the bytes stay) and audited in the same transaction (R40).
 */
import type { Readable } from 'node:stream';
import type { AttachmentView } from '../../schemas/attachments.ts';
import { LoopdeskError, forbidden, notFound } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { getInstance } from '../usecases/instances.ts';
import type { FileStore } from './FileStore.ts';

export interface AttachmentRow extends AttachmentView {
  storageKey: string;
}

const COLUMNS = 'id, instance_id, file_name, content_type, size, sha256, storage_key, uploaded_by, uploaded_at';

export function toRow(r: Record<string, unknown>): AttachmentRow {
  return {
    id: r.id as string,
    instanceId: r.instance_id as string,
    fileName: r.file_name as string,
    contentType: r.content_type as string,
    size: Number(r.size),
    sha256: r.sha256 as string,
    storageKey: r.storage_key as string,
    uploadedBy: r.uploaded_by as string,
    uploadedAt: Number(r.uploaded_at),
  };
}

export const toView = ({ storageKey: _, ...view }: AttachmentRow): AttachmentView => view;

/** Throws 404 unless `who` may read the case (the one permission rule for everything here). */
export async function assertCaseReadable(ctx: EngineContext, instanceId: string, who: Principal): Promise<void> {
  await getInstance(ctx, instanceId, who);
}

/** A live attachment `who` may read, else 404 naming only the attachment. */
async function readableAttachment(ctx: EngineContext, id: string, who: Principal): Promise<AttachmentRow> {
  const r = await ctx.db.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM attachments WHERE id = ? AND deleted_at IS NULL`, [id]);
  if (!r) throw notFound('attachment', id);
  const row = toRow(r);
  try {
    await assertCaseReadable(ctx, row.instanceId, who);
  } catch (err) {
    if (err instanceof LoopdeskError && err.statusCode === 404) throw notFound('attachment', id);
    throw err;
  }
  return row;
}

/** The case's attachments, newest first; deleted ones are left out. */
export async function listAttachments(ctx: EngineContext, instanceId: string, who: Principal): Promise<AttachmentView[]> {
  await assertCaseReadable(ctx, instanceId, who);
  const rows = await ctx.db.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM attachments WHERE instance_id = ? AND deleted_at IS NULL ORDER BY uploaded_at DESC, id DESC`,
    [instanceId],
  );
  return rows.map((r) => toView(toRow(r)));
}

/** The attachment and a stream of its bytes, for a download. */
export async function openAttachment(ctx: EngineContext, store: FileStore, id: string, who: Principal): Promise<{ attachment: AttachmentView; content: Readable }> {
  const row = await readableAttachment(ctx, id, who);
  try {
    return { attachment: toView(row), content: await store.get(row.storageKey) };
  } catch (err) {
    // Bytes gone from the store (restored backup, manual cleanup): say so without the storage key.
    if (err instanceof LoopdeskError && err.statusCode === 404) throw new LoopdeskError('LD_ATTACHMENT_CONTENT_MISSING', 404, `the content of attachment ${id} is missing from the file store`);
    throw err;
  }
}

export async function deleteAttachment(ctx: EngineContext, id: string, who: Principal, requestId?: string): Promise<void> {
  const row = await readableAttachment(ctx, id, who);
  if (row.uploadedBy !== who.username && !isSupervisor(who)) {
    throw forbidden('only the uploader, a supervisor or an admin may delete an attachment');
  }
  await command(ctx, async (tx, now) => {
    const changed = await tx.run('UPDATE attachments SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL', [now, who.username, id]);
    if (changed !== 1) throw notFound('attachment', id);
    await audit(tx, now, {
      actor: who.username,
      action: 'attachment.delete',
      entityType: 'attachment',
      entityId: id,
      before: toView(row),
      after: { deletedAt: now, deletedBy: who.username },
      requestId,
    });
  });
}
