/**
 * The BPMN Model Interchange Working Group reference diagrams, deployed through the HTTP API:
 * each one either deploys or is refused with a 422 that names the elements it cannot run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const corpus = new URL('../../../../shared/corpus/bpmn-miwg/', import.meta.url);
const files = readdirSync(corpus).filter((f) => f.endsWith('.bpmn')).sort();

describe('MIWG reference diagrams through POST /api/processes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => s?.close());

  it('R0b: the corpus is there to test against', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('R0b: %s deploys, or is refused with 422 naming existing elements — never a 500', async (file) => {
    const xml = readFileSync(new URL(file, corpus), 'utf8');
    const r = await s.deploy(xml, false);
    expect([200, 201, 422]).toContain(r.status);
    if (r.status === 422) {
      expect(r.body.code).toBe('LD_BPMN_INVALID');
      expect(r.body.errors.length).toBeGreaterThan(0);
      for (const e of r.body.errors) {
        expect(e.message).toBeTruthy();
        if (e.elementId) expect(xml).toContain(`id="${e.elementId}"`);
      }
    } else {
      expect(r.body.key).toBeTruthy();
      const back = await s.api('GET', `/api/processes/${encodeURIComponent(r.body.key)}/versions/${r.body.version}/xml`, { token: s.adminToken });
      expect(back.status).toBe(200);
      expect(back.body).toBe(xml);
    }
  });
});
