/**
 * The client's file name is for display only: it never names anything on disk. Before it is stored
 * it loses any path, control and bidi-override characters (the `invoice‮fdp.exe` trick) and gets the
 * extension of the sniffed type, so a PNG called `report.html` is saved by the browser as
 * `report.html.png` and cannot open as a web page.
 */
import type { SniffedType } from './sniff.ts';

const MAX_NAME = 200;
// C0/C1 controls, DEL, and the Unicode bidi embedding/override/isolate marks.
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function displayFileName(raw: string | undefined, type: SniffedType): string {
  let name = (raw ?? '').split(/[\\/]/).pop() ?? '';
  name = name.normalize('NFC').replace(UNSAFE, '').trim().replace(/^\.+/, '');
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!type.extensions.includes(ext)) name = `${name || 'attachment'}.${type.extensions[0]}`;
  const chars = [...name];
  if (chars.length > MAX_NAME) {
    const suffix = `.${type.extensions.includes(ext) ? ext : type.extensions[0]}`;
    name = chars.slice(0, MAX_NAME - suffix.length).join('') + suffix;
  }
  return name;
}

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 with the RFC 5987 encoding): an ASCII
 * fallback with anything risky replaced, and the exact name percent-encoded for current browsers.
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
