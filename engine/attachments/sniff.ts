/**
 * What a file is, from its first bytes (magic numbers), never from the client's name or declared
 * Content-Type. Only formats a service desk needs for remote diagnosis are accepted: photos (JPEG,
 * PNG, GIF, WebP), PDF, and MP4/QuickTime video. Text, HTML, SVG and anything else are refused,
 * because a browser may run script in them (and a `<script>` polyglot is plain text).
 */

export interface SniffedType {
  contentType: string;
  /** File name extensions for this type, the usual one first. */
  extensions: readonly string[];
  /** Safe to show inline in a browser (raster images only). */
  inlineable: boolean;
}

/** How many leading bytes `sniff` looks at. */
export const SNIFF_BYTES = 16;

const JPEG: SniffedType = { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'], inlineable: true };
const PNG: SniffedType = { contentType: 'image/png', extensions: ['png'], inlineable: true };
const GIF: SniffedType = { contentType: 'image/gif', extensions: ['gif'], inlineable: true };
const WEBP: SniffedType = { contentType: 'image/webp', extensions: ['webp'], inlineable: true };
const PDF: SniffedType = { contentType: 'application/pdf', extensions: ['pdf'], inlineable: false };
const MP4: SniffedType = { contentType: 'video/mp4', extensions: ['mp4', 'm4v'], inlineable: false };
const MOV: SniffedType = { contentType: 'video/quicktime', extensions: ['mov', 'qt'], inlineable: false };

/** Every type an upload may have, for documentation and error messages. */
export const ACCEPTED_TYPES: readonly SniffedType[] = [JPEG, PNG, GIF, WEBP, PDF, MP4, MOV];

/** ISO base media major brands of ordinary phone and camera video. */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VP', 'dash', 'mmp4', 'MSNV']);

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

export function sniff(head: Uint8Array): SniffedType | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (head.length >= 6 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) return GIF;
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return WEBP;
  if (head.length >= 5 && ascii(head, 0, 5) === '%PDF-') return PDF;
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
    const boxSize = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    if (boxSize < 16) return undefined;
    const brand = ascii(head, 8, 12);
    if (brand === 'qt  ') return MOV;
    if (MP4_BRANDS.has(brand)) return MP4;
  }
  return undefined;
}
