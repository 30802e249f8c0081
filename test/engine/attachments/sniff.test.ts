/**
 * R14: what an upload is decided by its first bytes only, and the name a browser saves it under can
 * neither carry a path nor disguise its type.
 */
import { describe, expect, it } from 'vitest';
import { contentDisposition, displayFileName } from '../../../engine/attachments/fileName.ts';
import { sniff } from '../../../engine/attachments/sniff.ts';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const ftyp = (brand: string) => bytes([0, 0, 0, 24], 'ftyp', brand, [0, 0, 0, 0], 'isom');

describe('R14 type sniffing', () => {
  it('R14: recognises JPEG, PNG, GIF, WebP, PDF, MP4 and QuickTime by magic bytes', () => {
    const cases: [Buffer, string][] = [
      [bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg'],
      [bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13], 'IHDR'), 'image/png'],
      [bytes('GIF89a', [1, 0, 1, 0]), 'image/gif'],
      [bytes('GIF87a', [1, 0, 1, 0]), 'image/gif'],
      [bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
      [bytes('%PDF-1.7\n'), 'application/pdf'],
      [ftyp('isom'), 'video/mp4'],
      [ftyp('mp42'), 'video/mp4'],
      [ftyp('qt  '), 'video/quicktime'],
    ];
    for (const [head, type] of cases) expect(sniff(head)?.contentType, type).toBe(type);
  });

  it('R14: refuses HTML, script, SVG, text, executables, archives, HEIC and audio-only MP4', () => {
    for (const head of [
      bytes('<!doctype html><script>'),
      bytes('<script>alert(1)</script>'),
      bytes('<?xml version="1.0"?><svg'),
      bytes('hello, plain text'),
      bytes('MZ', [0x90, 0, 3, 0, 0, 0]),
      bytes([0x7f], 'ELF', [2, 1, 1, 0]),
      bytes('PK', [3, 4, 20, 0, 0, 0]),
      ftyp('heic'),
      ftyp('M4A '),
      bytes([0xff, 0xd8]), // too short to be a JPEG
      bytes([]),
    ]) {
      expect(sniff(head), head.toString('latin1')).toBeUndefined();
    }
  });
});

describe('R14 file names', () => {
  const PNG = sniff(bytes([0x89], 'PNG\r\n\x1a\n'))!;
  const PDF = sniff(bytes('%PDF-1.4'))!;

  it('R14: drops paths, control and bidi characters, and leading dots', () => {
    expect(displayFileName('C:\\Users\\chen\\Desktop\\故障.png', PNG)).toBe('故障.png');
    expect(displayFileName('../../etc/passwd', PNG)).toBe('passwd.png');
    expect(displayFileName('invoice\u202Efdp.exe', PDF)).toBe('invoicefdp.exe.pdf');
    expect(displayFileName('a\u0000b\nc.png', PNG)).toBe('abc.png');
    expect(displayFileName('.htaccess', PNG)).toBe('htaccess.png');
    expect(displayFileName(undefined, PDF)).toBe('attachment.pdf');
    expect(displayFileName('   ', PDF)).toBe('attachment.pdf');
  });

  it('R14: the extension always matches the sniffed type', () => {
    expect(displayFileName('photo.PNG', PNG)).toBe('photo.PNG');
    expect(displayFileName('page.html', PNG)).toBe('page.html.png');
    expect(displayFileName('report', PDF)).toBe('report.pdf');
    const long = displayFileName(`${'长'.repeat(300)}.pdf`, PDF);
    expect([...long]).toHaveLength(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('R14: Content-Disposition carries an ASCII fallback and the RFC 5987 UTF-8 name', () => {
    expect(contentDisposition('attachment', '维修报告 "最终版".pdf')).toBe(
      "attachment; filename=\"____ _____.pdf\"; filename*=UTF-8''%E7%BB%B4%E4%BF%AE%E6%8A%A5%E5%91%8A%20%22%E6%9C%80%E7%BB%88%E7%89%88%22.pdf",
    );
    expect(contentDisposition('inline', "it's (1)*.png")).toBe("inline; filename=\"it's (1)*.png\"; filename*=UTF-8''it%27s%20%281%29%2A.png");
    expect(contentDisposition('attachment', 'a\\b;c%d.png')).toMatch(/^attachment; filename="a_b_c_d\.png"; /);
  });
});
