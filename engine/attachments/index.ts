/**
 * Attachments on a case (R14): a pluggable FileStore (disk by default), type sniffing by magic
 * bytes, size limits, and the use cases the HTTP routes call.
 */
export { type AttachmentRow, deleteAttachment, listAttachments, openAttachment } from './attachments.ts';
export { DiskFileStore } from './DiskFileStore.ts';
export { attachmentEntities } from './entities.ts';
export { attachmentErrors } from './errors.ts';
export type { FileStore, StoredFile } from './FileStore.ts';
export { contentDisposition, displayFileName } from './fileName.ts';
export { type AttachmentSettings, DEFAULT_MAX_UPLOAD_MB, attachmentSettingsFromEnv } from './settings.ts';
export { ACCEPTED_TYPES, type SniffedType, sniff } from './sniff.ts';
export { type IncomingFile, type UploadOptions, uploadAttachment } from './upload.ts';
