/**
 * How times, durations and the engine's bilingual names read in the UI's language.
 */
import type { Lang, Translate } from './i18n.tsx';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2 小时 5 分" / "2 h 5 min": the two largest units, rounded down to minutes. */
export function formatDuration(ms: number, t: Translate): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return t('dur.zero');
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  const parts: string[] = [];
  if (d) parts.push(t('dur.d', { n: d }));
  if (h) parts.push(t('dur.h', { n: h }));
  if (m && !d) parts.push(t('dur.m', { n: m }));
  return parts.slice(0, 2).join(' ');
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(ms: number | null | undefined, lang: Lang): string {
  if (ms === null || ms === undefined) return '—';
  let f = formatters.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    formatters.set(lang, f);
  }
  return f.format(new Date(ms));
}

export function isoDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * The shipped BPMN names its nodes in both languages, Chinese first ("核实身份 Verify identity",
 * "3天回访 3-day follow-up"): the part for `lang`, or the whole name when it is not such a pair.
 */
export function nodeName(name: string | null | undefined, fallback: string, lang: Lang): string {
  if (!name) return fallback;
  for (let i = 0; i < name.length; i++) {
    if (name[i] !== ' ') continue;
    const left = name.slice(0, i).trim();
    const right = name.slice(i + 1).trim();
    if (CJK.test(left) && !CJK.test(right) && /[A-Za-z]/.test(right)) return lang === 'en' ? right : left;
  }
  return name;
}

/** SLA urgency of a deadline: `breach` when past, `warn` when less than 20% of its window is left. */
export function slaLevel(dueAt: number, startedAt: number | undefined, now: number): 'ok' | 'warn' | 'breach' {
  const left = dueAt - now;
  if (left <= 0) return 'breach';
  if (startedAt !== undefined && dueAt > startedAt && left < 0.2 * (dueAt - startedAt)) return 'warn';
  return 'ok';
}
