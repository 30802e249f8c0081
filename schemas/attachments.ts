/**
 * JSON Schemas of the attachment routes (R14). Uploads are multipart/form-data with the file in the
 * field `file`, so the upload route has no JSON body schema; the content route answers raw bytes.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { uploadErrorResponses } from './api.ts';

export const attachmentErrorResponses = uploadErrorResponses;

export const attachmentIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const attachmentContentQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inline: { type: 'string', enum: ['1', '0', 'true', 'false'], description: '1: show an image in the browser instead of downloading it (ignored for other types)' },
  },
} as const;

export const attachmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'instanceId', 'fileName', 'contentType', 'size', 'sha256', 'uploadedBy', 'uploadedAt'],
  properties: {
    id: { type: 'string' },
    instanceId: { type: 'string' },
    fileName: { type: 'string', description: "the client's name, cleaned, with the extension of the sniffed type; display only" },
    contentType: { type: 'string', description: 'sniffed from the bytes: image/jpeg, image/png, image/gif, image/webp, application/pdf, video/mp4, video/quicktime' },
    size: { type: 'integer', description: 'bytes' },
    sha256: { type: 'string', description: 'hex SHA-256 of the bytes' },
    uploadedBy: { type: 'string' },
    uploadedAt: { type: 'integer', description: 'epoch milliseconds' },
  },
} as const;

export const attachmentListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: attachmentSchema } },
} as const;

export type AttachmentView = FromSchema<typeof attachmentSchema>;
export type AttachmentList = FromSchema<typeof attachmentListResponse>;
