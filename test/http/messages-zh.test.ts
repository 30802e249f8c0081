/**
 * Errors speak the caller's language (R0a, R33): a zh-CN process owner deploying a broken diagram
 * reads what is wrong with each element in Chinese, with the element id and English detail kept;
 * and every error code the engine throws has a Chinese meaning or writes its own bilingual text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZH_ERROR_HEADS } from '../../engine/http/messages.zh.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const BROKEN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="zh-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="zh-broken" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="choose" />
    <bpmn:endEvent id="a" />
    <bpmn:endEvent id="b" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="choose" />
    <bpmn:sequenceFlow id="f1" sourceRef="choose" targetRef="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="b" />
    <bpmn:sequenceFlow id="f3" sourceRef="choose" targetRef="nowhere" />
  </bpmn:process>
</bpmn:definitions>`;

/** Families whose messages are written in both languages where they are thrown. */
const BILINGUAL_FAMILIES = ['LD_FORM_', 'LD_IMPORT_', 'LD_ATTACHMENT_'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('error messages in Chinese', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('R33: a broken diagram is refused with a Chinese reason per element, ids kept', async () => {
    const r = await s.api('POST', '/api/processes', {
      token: s.adminToken,
      body: BROKEN,
      headers: { 'content-type': 'application/xml', 'accept-language': 'zh-CN' },
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/^流程图无法部署：/);
    const missing = r.body.errors.find((e: { elementId: string }) => e.elementId === 'f3');
    expect(missing.message).toMatch(/^连线缺少终点：/);
    const gateway = r.body.errors.find((e: { elementId: string }) => e.elementId === 'choose');
    expect(gateway.message).toMatch(/^网关的流出连线既无条件也无默认连线：/);

    const en = await s.api('POST', '/api/processes', { token: s.adminToken, body: BROKEN, headers: { 'content-type': 'application/xml' } });
    expect(en.body.errors.every((e: { message: string }) => !/[\u3400-\u9fff]/.test(e.message))).toBe(true);
  });

  it('R0a: every error code thrown by the engine has a Chinese meaning or bilingual text', () => {
    const root = new URL('../../engine/', import.meta.url).pathname;
    const codes = new Set<string>();
    for (const file of sourceFiles(root)) {
      if (file.endsWith('messages.zh.ts')) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/'(LD_[A-Z][A-Z_]*[A-Z])'/g)) codes.add(m[1]!);
    }
    const untranslated = [...codes].filter((c) => !ZH_ERROR_HEADS[c] && !BILINGUAL_FAMILIES.some((f) => c.startsWith(f))).sort();
    expect(untranslated).toEqual([]);
  });
});
