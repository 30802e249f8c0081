/**
 * The `attachments` table (R14): one row per uploaded file of a case. The bytes live in a FileStore
 * under `storage_key`; `content_type` is what the bytes were sniffed to be, `file_name` is the
 * cleaned client name for display only. Deleting sets `deleted_at` (the file and the row stay for
 * the audit trail). Same conventions as ../store/entities.ts: text ids, epoch-ms BIGINT times.
 */
import { EntitySchema } from '@mikro-orm/core';
import { str, time } from '../store/columns.ts';

export const Attachment = new EntitySchema({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    id: { ...str(64), primary: true },
    instanceId: str(64),
    fileName: str(255),
    contentType: str(100),
    size: time(),
    sha256: str(64),
    storageKey: str(255),
    uploadedBy: str(100),
    uploadedAt: time(),
    deletedAt: time(true),
    deletedBy: str(100, true),
  },
  // Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
  ...({ indexes: [{ properties: ['instanceId', 'uploadedAt'] }] } as object),
});

export const attachmentEntities = [Attachment];
