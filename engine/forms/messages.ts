/** The messages this module writes itself (ajv's own come localised from ajv-i18n). */
import type { FormError, FormLang } from './types.ts';

type Params = Record<string, string | number>;
type Template = (p: Params) => string;

const MESSAGES = {
  LD_FORM_DEF_SCHEMA_COMPILE: {
    'zh-CN': (p) => `表单 schema 无法编译：${p.detail}`,
    en: (p) => `the form schema does not compile: ${p.detail}`,
  },
  LD_FORM_DEF_UNKNOWN_KEYWORD: {
    'zh-CN': (p) => `未知关键字 "${p.keyword}"`,
    en: (p) => `unknown keyword "${p.keyword}"`,
  },
  LD_FORM_DEF_UNKNOWN_FIELD: {
    'zh-CN': (p) => `字段 "${p.field}" 在 schema 中不存在`,
    en: (p) => `field "${p.field}" does not exist in the schema`,
  },
  LD_FORM_DEF_FEEL_SYNTAX: {
    'zh-CN': (p) => `FEEL 表达式语法错误：${p.detail}`,
    en: (p) => `FEEL syntax error: ${p.detail}`,
  },
  LD_FORM_DEF_FEEL_UNKNOWN_VARIABLE: {
    'zh-CN': (p) => `FEEL 表达式引用了不存在的字段 "${p.name}"`,
    en: (p) => `the FEEL expression names "${p.name}", which is not a field`,
  },
  LD_FORM_DEF_MIGRATION_FIELD_STILL_EXISTS: {
    'zh-CN': (p) => `字段 "${p.field}" 在新版本中仍然存在，不能被${p.op === 'drop' ? '删除' : '重命名'}`,
    en: (p) => `field "${p.field}" still exists in this version and cannot be ${p.op === 'drop' ? 'dropped' : 'renamed'}`,
  },
  LD_FORM_DEF_MIGRATION_NOT_IN_PREVIOUS: {
    'zh-CN': (p) => `字段 "${p.field}" 在上一版本中不存在`,
    en: (p) => `field "${p.field}" does not exist in the previous version`,
  },
  LD_FORM_DEF_MIGRATION_VALUE: {
    'zh-CN': (p) => `迁移值不符合字段 "${p.field}" 的定义：${p.detail}`,
    en: (p) => `the migration value does not fit field "${p.field}": ${p.detail}`,
  },
  LD_FORM_DEF_LOOKUP_IN_ARRAY: {
    'zh-CN': () => '数组项中的字段不能声明关联查询',
    en: () => 'a field inside array items cannot declare a lookup',
  },
  LD_FORM_DEF_EXAMPLE_MISMATCH: {
    'zh-CN': (p) => (p.expected === 'valid' ? `示例应当有效，但校验失败：${p.detail}` : '示例应当无效，但校验通过'),
    en: (p) => (p.expected === 'valid' ? `the example should be valid but fails: ${p.detail}` : 'the example should be invalid but passes'),
  },
  LD_FORM_FIELD_READ_ONLY: {
    'zh-CN': () => '您的角色无权修改此字段',
    en: () => 'your role may not change this field',
  },
  LD_FORM_NOT_AN_OBJECT: {
    'zh-CN': () => '表单数据应当是对象',
    en: () => 'form data must be an object',
  },
  LD_FORM_INVALID: {
    'zh-CN': () => '表单数据无效',
    en: () => 'invalid form data',
  },
} satisfies Record<string, Record<FormLang, Template>>;

export type MessageCode = keyof typeof MESSAGES;

export function message(code: MessageCode, lang: FormLang, params: Params = {}): string {
  return MESSAGES[code][lang](params);
}

export function formError(code: MessageCode, path: string, lang: FormLang, params: Params = {}): FormError {
  return { path, code, message: message(code, lang, params) };
}
