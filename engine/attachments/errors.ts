/**
 * The upload errors callers branch on, each with its message in zh-CN and en (the shared error
 * handler only prefixes codes it knows, so these come already in the caller's language).
 */
import { LoopdeskError } from '../core/errors.ts';
import { ACCEPTED_TYPES } from './sniff.ts';

export type Lang = 'zh-CN' | 'en';

const accepted = () => ACCEPTED_TYPES.map((t) => t.contentType).join(', ');
const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;

export const attachmentErrors = {
  tooLarge: (lang: Lang, maxBytes: number) =>
    new LoopdeskError('LD_ATTACHMENT_TOO_LARGE', 413, lang === 'zh-CN' ? `附件过大：单个文件最大 ${mb(maxBytes)}` : `the file is larger than the ${mb(maxBytes)} limit`),
  unsupportedType: (lang: Lang) =>
    new LoopdeskError(
      'LD_ATTACHMENT_TYPE_UNSUPPORTED',
      415,
      lang === 'zh-CN'
        ? `不支持的文件类型（按文件内容判断，与文件名和声明的类型无关）；支持：${accepted()}`
        : `the file's content is not a supported type (judged by its bytes, not its name or declared type); supported: ${accepted()}`,
    ),
  missing: (lang: Lang) =>
    new LoopdeskError('LD_ATTACHMENT_MISSING', 400, lang === 'zh-CN' ? '请在表单字段 file 中上传一个文件' : 'send one file in the multipart field "file"'),
  empty: (lang: Lang) => new LoopdeskError('LD_ATTACHMENT_EMPTY', 400, lang === 'zh-CN' ? '文件为空' : 'the file is empty'),
  notMultipart: (lang: Lang) =>
    new LoopdeskError(
      'LD_ATTACHMENT_NOT_MULTIPART',
      415,
      lang === 'zh-CN' ? '请以 multipart/form-data 格式上传，文件放在字段 file 中' : 'upload as multipart/form-data with the file in the field "file"',
    ),
  malformed: (lang: Lang) =>
    new LoopdeskError('LD_ATTACHMENT_MALFORMED', 400, lang === 'zh-CN' ? '上传数据不完整或格式错误' : 'the multipart upload is incomplete or malformed'),
};
