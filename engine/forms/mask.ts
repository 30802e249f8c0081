/**
 * De-identification of contact data on screen and in exports (R39): 13812345678 → 138****5678,
 * 陈小明 → 陈*. Masks are deterministic so a masked value sent back unchanged can be recognised
 * (`mergeSubmission` keeps the real value then).
 */
import type { PersonalKind } from '../../schemas/form-definition.schema.ts';

/** Keeps the first 3 and last 4 digits (after a +86 / 0086 country code), masks the digits between. */
export function maskPhone(phone: string): string {
  const country = /^(\+86|0086)[- ]?/.exec(phone)?.[0] ?? '';
  const rest = phone.slice(country.length);
  const digits = rest.replace(/\D/g, '').length;
  const [keepHead, keepTail] = digits >= 8 ? [3, 4] : [0, Math.min(2, digits)];
  let seen = 0;
  let masked = '';
  for (const ch of rest) {
    if (/\d/.test(ch)) {
      seen++;
      masked += seen <= keepHead || seen > digits - keepTail ? ch : '*';
    } else {
      masked += ch;
    }
  }
  return country + masked;
}

const HAN = /\p{Script=Han}/u;

/**
 * Chinese names keep the surname's first character: 陈小明 → 陈*. Latin names keep each word's
 * initial: John Smith → J* S*. A single character becomes *.
 */
export function maskName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed];
  if (chars.length <= 1) return '*';
  if (HAN.test(chars[0]) || !/\s/.test(trimmed)) return `${chars[0]}*`;
  return trimmed
    .split(/\s+/)
    .map((word) => `${[...word][0]}*`)
    .join(' ');
}

/** chen.xm@example.com → c***@example.com */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskId(email);
  return `${[...email.slice(0, at)][0]}***${email.slice(at)}`;
}

/** Identity card, serial or account numbers: first 3 and last 4 kept when long enough. */
export function maskId(id: string): string {
  const chars = [...id];
  if (chars.length >= 10) return chars.map((c, i) => (i < 3 || i >= chars.length - 4 ? c : '*')).join('');
  if (chars.length >= 4) return chars.map((c, i) => (i < chars.length - 2 ? '*' : c)).join('');
  return '*'.repeat(chars.length);
}

export function maskValue(value: string, kind: PersonalKind): string {
  switch (kind) {
    case 'phone':
      return maskPhone(value);
    case 'name':
      return maskName(value);
    case 'email':
      return maskEmail(value);
    case 'id':
      return maskId(value);
  }
}
