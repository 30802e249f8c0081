/**
 * R14 attachments over HTTP on a real server: real PNG/PDF/MP4 bytes go up as multipart and come
 * back identical with the type sniffed from the bytes; disguised files (415) and oversize files
 * (413) leave nothing on disk or in the table; someone who may not read the case gets 404 for
 * everything; deleting is for the uploader or a supervisor, audited (R40), and hides the file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { waitFor } from '../../helpers/processes.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { singleTaskProcess } from '../../helpers/bpmn.ts';

const LIMIT_MB = 7;
const LIMIT = LIMIT_MB * 1024 * 1024;

const CASE_XML = singleTaskProcess({ processId: 'desk-case', taskId: 'diagnose', taskName: 'Remote diagnosis', candidateGroups: 'desk' });

// --- tiny valid files, built here so the bytes are known exactly ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A valid 2×2 RGB PNG. */
function png(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A valid one-page PDF with a correct cross-reference table. */
function pdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 12 Tf 20 50 Td (Service report) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, payload]);
}
/** An ISO BMFF file (ftyp isom + mdat) of `size` bytes: what a phone video starts with. */
function mp4(size: number): Buffer {
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('isom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'ascii')]));
  return Buffer.concat([ftyp, box('mdat', Buffer.alloc(size - ftyp.length - 8, 7))]);
}
/** PNG magic followed by filler: sniffed as PNG, `size` bytes long. */
const pngSized = (size: number) => Buffer.concat([png(), Buffer.alloc(size - png().length, 1)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every regular file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  try {
    walk(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return out.sort();
}

for (const backend of await backends()) {
  describe(`R14 attachments (${backend})`, () => {
    let t: TestServer;
    let filesDir: string;
    let wang: string; // desk agent: may read the case through its task's candidate group
    let li: string; // another desk agent
    let zhao: string; // field team: may not read the case
    let head: string; // supervisor
    let caseId: string;

    beforeAll(async () => {
      filesDir = mkdtempSync(join(tmpdir(), 'loopdesk-files-'));
      // The attachment routes read these when the server is built.
      vi.stubEnv('LOOPDESK_FILES_DIR', filesDir);
      vi.stubEnv('LOOPDESK_MAX_UPLOAD_MB', String(LIMIT_MB));
      t = await startTestServer(backend);
      wang = await t.user('wang', { teams: ['desk'] });
      li = await t.user('li', { teams: ['desk'] });
      zhao = await t.user('zhao', { teams: ['field'] });
      head = await t.user('head', { roles: ['supervisor'] });
      expect((await t.deploy(CASE_XML)).status).toBe(201);
      const started = await t.api('POST', '/api/instances', { token: t.adminToken, body: { processKey: 'desk-case', businessKey: 'FB202406001' } });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      caseId = started.body.id;
    });
    afterAll(async () => {
      await t?.close();
      vi.unstubAllEnvs();
    });

    async function upload(token: string, bytes: Buffer, name: string, declaredType: string, instanceId = caseId, field = 'file') {
      const form = new FormData();
      form.append(field, new Blob([new Uint8Array(bytes)], { type: declaredType }), name);
      const res = await fetch(`${t.url}/api/instances/${instanceId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as any };
    }
    const download = (token: string, id: string, query = '') =>
      fetch(`${t.url}/api/attachments/${id}/content${query}`, { headers: { authorization: `Bearer ${token}` } });
    const list = (token: string, instanceId = caseId) => t.api('GET', `/api/instances/${instanceId}/attachments`, { token });
    const rowCount = async () =>
      Number((await t.server.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM attachments WHERE instance_id = ?', [caseId]))!.n);

    /** Runs `fn` and checks it left no file on disk and no row in the table. */
    async function leavesNothing(fn: () => Promise<void>) {
      const filesBefore = filesUnder(filesDir);
      const rowsBefore = await rowCount();
      await fn();
      expect(filesUnder(filesDir)).toEqual(filesBefore);
      expect(await rowCount()).toBe(rowsBefore);
    }

    it('R14: a PNG and a PDF come back byte for byte with the sniffed type, as a download with a safe name and nosniff', async () => {
      const image = png();
      const up = await upload(wang, image, '故障 照片(1).png', 'image/png');
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      expect(up.body).toMatchObject({ instanceId: caseId, fileName: '故障 照片(1).png', contentType: 'image/png', size: image.length, sha256: sha256(image), uploadedBy: 'wang' });

      // A PDF declared as octet-stream and named without extension: the bytes decide, the name gets .pdf.
      const report = pdf();
      const upPdf = await upload(li, report, 'report', 'application/octet-stream');
      expect(upPdf.status, JSON.stringify(upPdf.body)).toBe(201);
      expect(upPdf.body).toMatchObject({ fileName: 'report.pdf', contentType: 'application/pdf', size: report.length });

      const res = await download(wang, up.body.id);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(image)).toBe(true);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      // An ASCII fallback plus the exact UTF-8 name, RFC 5987-encoded (parentheses too).
      expect(res.headers.get('content-disposition')).toBe(
        "attachment; filename=\"__ __(1).png\"; filename*=UTF-8''%E6%95%85%E9%9A%9C%20%E7%85%A7%E7%89%87%281%29.png",
      );

      const resPdf = await download(head, upPdf.body.id);
      expect(Buffer.from(await resPdf.arrayBuffer()).equals(report)).toBe(true);
      expect(resPdf.headers.get('content-type')).toBe('application/pdf');
      expect(resPdf.headers.get('content-disposition')).toMatch(/^attachment; filename="report\.pdf"/);

      // inline=1 shows images in the browser, but never a PDF (or anything not an image).
      expect((await download(wang, up.body.id, '?inline=1')).headers.get('content-disposition')).toMatch(/^inline; /);
      expect((await download(wang, upPdf.body.id, '?inline=1')).headers.get('content-disposition')).toMatch(/^attachment; /);

      const listed = await list(wang);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((a: any) => a.id)).toEqual([upPdf.body.id, up.body.id]);
      // The bytes sit under a store key, never under the client's name.
      expect(filesUnder(filesDir).filter((f) => !f.startsWith('tmp'))).toHaveLength(2);
      expect(filesUnder(filesDir).join('\n')).not.toMatch(/report|照片|\.png|\.pdf/);
    });

    it('R14: a 6 MB phone video (larger than the JSON body limit) is stored as video/mp4', async () => {
      const video = mp4(6 * 1024 * 1024);
      const up = await upload(wang, video, 'IMG_0421.MOV', 'video/quicktime');
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      // The declared type and the .MOV name lose to the bytes, which are an MP4.
      expect(up.body).toMatchObject({ contentType: 'video/mp4', fileName: 'IMG_0421.MOV.mp4', size: video.length, sha256: sha256(video) });
      const res = await download(wang, up.body.id);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(video));
    });

    it('R14: a script claimed as image/png, an .exe renamed .jpg and an SVG are refused with 415 and leave nothing behind', async () => {
      const disguised: [Buffer, string, string][] = [
        [Buffer.from('<!doctype html><script>fetch("/api/auth/me")</script>'), 'photo.png', 'image/png'],
        [Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200)]), 'photo.jpg', 'image/jpeg'],
        [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'diagram.svg', 'image/svg+xml'],
        [Buffer.from('short'), 'note.txt', 'text/plain'],
      ];
      await leavesNothing(async () => {
        for (const [bytes, name, type] of disguised) {
          const r = await upload(wang, bytes, name, type);
          expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(415);
          expect(r.body.code).toBe('LD_ATTACHMENT_TYPE_UNSUPPORTED');
          expect(r.body.message).toMatch(/image\/png/);
        }
        const empty = await upload(wang, Buffer.alloc(0), 'empty.png', 'image/png');
        expect(empty.status).toBe(400);
        expect(empty.body.code).toBe('LD_ATTACHMENT_EMPTY');
      });
    });

    it(`R14: more than LOOPDESK_MAX_UPLOAD_MB (${LIMIT_MB}) is refused with 413 and leaves nothing behind; exactly the limit is accepted`, async () => {
      await leavesNothing(async () => {
        // One byte over: the declared length is within the multipart slack, so the stream count catches it.
        const justOver = await upload(wang, pngSized(LIMIT + 1), 'big.png', 'image/png');
        expect(justOver.status, JSON.stringify(justOver.body)).toBe(413);
        expect(justOver.body.code).toBe('LD_ATTACHMENT_TOO_LARGE');
        expect(justOver.body.message).toContain(`${LIMIT_MB} MB`);
        // Far over: refused from Content-Length before the body is read.
        const farOver = await upload(wang, pngSized(3 * LIMIT), 'huge.png', 'image/png');
        expect(farOver.status, JSON.stringify(farOver.body)).toBe(413);
        expect(farOver.body.code).toBe('LD_ATTACHMENT_TOO_LARGE');
      });
      // The server is fine afterwards, and the limit itself is allowed.
      const exact = await upload(wang, pngSized(LIMIT), 'exact.png', 'image/png');
      expect(exact.status, JSON.stringify(exact.body)).toBe(201);
      expect(exact.body.size).toBe(LIMIT);
    });

    it('R14: an agent of another team gets 404 for the case: list, upload, download, delete', async () => {
      const mine = await upload(wang, png(), 'a.png', 'image/png');
      expect(mine.status).toBe(201);
      await leavesNothing(async () => {
        const l = await list(zhao);
        expect(l.status).toBe(404);
        expect(l.body.code).toBe('LD_NOT_FOUND');
        const up = await upload(zhao, png(), 'b.png', 'image/png');
        expect(up.status).toBe(404);
        expect(up.body.code).toBe('LD_NOT_FOUND');
        const dl = await download(zhao, mine.body.id);
        expect(dl.status).toBe(404);
        // Not even which case the attachment belongs to.
        expect(await dl.text()).not.toContain(caseId);
        const del = await t.api('DELETE', `/api/attachments/${mine.body.id}`, { token: zhao });
        expect(del.status).toBe(404);
        // A case that does not exist looks the same.
        expect((await upload(wang, png(), 'c.png', 'image/png', '00000000-0000-7000-8000-000000000000')).status).toBe(404);
      });
      expect((await download(wang, mine.body.id)).status).toBe(200);
    });

    it('R14 R40: only the uploader or a supervisor deletes; the deletion is audited and hides the file', async () => {
      const up = await upload(wang, png(), 'to-delete.png', 'image/png');
      expect(up.status).toBe(201);
      const id = up.body.id as string;

      const byTeammate = await t.api('DELETE', `/api/attachments/${id}`, { token: li });
      expect(byTeammate.status).toBe(403);
      expect(byTeammate.body.code).toBe('LD_FORBIDDEN');

      const bySupervisor = await t.api('DELETE', `/api/attachments/${id}`, { token: head });
      expect(bySupervisor.status).toBe(204);
      expect((await list(wang)).body.items.map((a: any) => a.id)).not.toContain(id);
      expect((await download(wang, id)).status).toBe(404);
      expect((await t.api('DELETE', `/api/attachments/${id}`, { token: wang })).status).toBe(404);

      const trail = await t.api('GET', `/api/audit?entityType=attachment&entityId=${id}`, { token: head });
      expect(trail.status).toBe(200);
      expect(trail.body.map((e: any) => [e.action, e.actor])).toEqual([
        ['attachment.delete', 'head'],
        ['attachment.upload', 'wang'],
      ]);
      expect(trail.body[0].before).toMatchObject({ fileName: 'to-delete.png', sha256: up.body.sha256 });

      // The uploader may delete their own.
      const own = await upload(wang, png(), 'own.png', 'image/png');
      expect((await t.api('DELETE', `/api/attachments/${own.body.id}`, { token: wang })).status).toBe(204);
    });

    it('R14: the client file name never reaches the disk path; path parts and control characters are dropped', async () => {
      const up = await upload(wang, png(), '..\\..\\../../etc/passwd\u202egnp.exe', 'image/png');
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      expect(up.body.fileName).toBe('passwdgnp.exe.png');
      for (const f of filesUnder(filesDir)) expect(f).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    });

    it('R14: an upload cut off half-way (client gone) leaves nothing behind and the server carries on', async () => {
      await leavesNothing(async () => {
        const boundary = 'loopdesk-test-boundary';
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.png"\r\nContent-Type: image/png\r\n\r\n`;
        const socket = connect(Number(new URL(t.url).port), '127.0.0.1');
        await new Promise<void>((ok) => socket.once('connect', () => ok()));
        socket.write(
          `POST /api/instances/${caseId}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${wang}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
        );
        socket.write(head);
        socket.write(pngSized(200 * 1024));
        // Give the server time to start writing the file, then vanish.
        await waitFor('the upload to reach the store', async () => filesUnder(filesDir).some((f) => f.startsWith('tmp')), 5_000, 10);
        socket.destroy();
        await waitFor('the partial file to be removed', async () => !filesUnder(filesDir).some((f) => f.startsWith('tmp')), 5_000);
      });
      expect((await upload(wang, png(), 'after.png', 'image/png')).status).toBe(201);
    });

    it('R14: a JSON body or a form without a `file` field is refused with a clear code', async () => {
      await leavesNothing(async () => {
        const json = await t.api('POST', `/api/instances/${caseId}/attachments`, { token: wang, body: { file: 'iVBORw0KGgo=' } });
        expect(json.status).toBe(415);
        expect(json.body.code).toBe('LD_ATTACHMENT_NOT_MULTIPART');
        const wrongField = await upload(wang, png(), 'a.png', 'image/png', caseId, 'photo');
        expect(wrongField.status).toBe(400);
        expect(wrongField.body.code).toBe('LD_ATTACHMENT_MISSING');
      });
    });
  });
}
