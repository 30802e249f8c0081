/**
 * Notification templates: `{ "<key>": { "zh-CN": {subject, body}, "en": {subject, body} } }` with
 * `{{field}}` placeholders (dot paths such as `{{case.number}}`). Rendering only looks values up —
 * no expressions, no helpers, no prototype access — so a template or a field can never run code.
 * Shipped in definitions/notifications/templates.json; a definitions folder may override the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export interface TemplateText {
  subject: string;
  body: string;
}

export type Templates = Record<string, Partial<Record<Lang, TemplateText>>>;

/** The file the repository ships; used when the configured definitions folder has none. */
export const SHIPPED_TEMPLATES_FILE = fileURLToPath(new URL('../../definitions/notifications/templates.json', import.meta.url));

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** Reads and checks a templates file; a malformed file fails the start instead of every send. */
export function readTemplates(file: string): Templates {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file}: templates must be an object keyed by template name`);
  const out: Templates = {};
  for (const [key, byLang] of Object.entries(parsed as Record<string, unknown>)) {
    if (!byLang || typeof byLang !== 'object') throw new Error(`${file}: template "${key}" must map languages to {subject, body}`);
    const entry: Partial<Record<Lang, TemplateText>> = {};
    for (const [lang, t] of Object.entries(byLang as Record<string, unknown>)) {
      if (!isLang(lang)) throw new Error(`${file}: template "${key}" has unsupported language "${lang}" (use ${LANGUAGES.join(', ')})`);
      const tt = t as Partial<TemplateText> | null;
      if (!tt || typeof tt.subject !== 'string' || typeof tt.body !== 'string') {
        throw new Error(`${file}: template "${key}" (${lang}) needs string subject and body`);
      }
      entry[lang] = { subject: tt.subject, body: tt.body };
    }
    out[key] = entry;
  }
  return out;
}

/** `<definitionsDir>/notifications/templates.json` when it exists, else the shipped file. */
export function loadTemplates(definitionsDir?: string): Templates {
  const own = definitionsDir ? join(definitionsDir, 'notifications', 'templates.json') : undefined;
  return readTemplates(own && existsSync(own) ? own : SHIPPED_TEMPLATES_FILE);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_$\u4e00-\u9fff][\w$\u4e00-\u9fff-]*(?:\.[\w$\u4e00-\u9fff-]+)*)\s*\}\}/g;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Own-property lookup of a dot path; anything missing, inherited or forbidden is undefined. */
export function lookup(fields: unknown, path: string): unknown {
  let v: unknown = fields;
  for (const seg of path.split('.')) {
    if (FORBIDDEN_SEGMENTS.has(seg) || v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function display(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(display).join(', ');
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Fills `{{path}}` placeholders; `html` escapes every value (the template text itself is trusted). */
export function fill(text: string, fields: Record<string, unknown>, mode: 'text' | 'html' = 'text'): string {
  return text.replace(PLACEHOLDER, (_m, path: string) => {
    const s = display(lookup(fields, path));
    return mode === 'html' ? escapeHtml(s) : s;
  });
}

export interface Rendered {
  lang: Lang;
  subject: string;
  body: string;
}

/** An e-mail needs a subject even when the template's fields were left empty. */
const FALLBACK_SUBJECT: Record<Lang, string> = { 'zh-CN': 'Loopdesk 通知', en: 'Loopdesk notification' };

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Renders a template in `lang`, falling back to zh-CN and then to any language it has. The subject
 * is one line (line breaks in a field cannot add mail headers).
 */
export function render(templates: Templates, key: string, lang: Lang, fields: Record<string, unknown>): Rendered {
  const entry = Object.hasOwn(templates, key) ? templates[key] : undefined;
  if (!entry) throw new TemplateError(`unknown notification template "${key}"`);
  const chosen: Lang | undefined = entry[lang] ? lang : entry[DEFAULT_LANG] ? DEFAULT_LANG : LANGUAGES.find((l) => entry[l]);
  if (!chosen) throw new TemplateError(`notification template "${key}" has no text`);
  const t = entry[chosen]!;
  const subject = fill(t.subject, fields).replace(/[\r\n]+/g, ' ').trim();
  return { lang: chosen, subject: subject || FALLBACK_SUBJECT[chosen], body: fill(t.body, fields) };
}

/** The HTML part of an e-mail: the plain body escaped, line breaks kept. */
export function htmlBody(plainBody: string): string {
  return `<!doctype html><html><body><div style="font-family:sans-serif;white-space:normal">${escapeHtml(plainBody).replace(/\r?\n/g, '<br>\n')}</div></body></html>`;
}
