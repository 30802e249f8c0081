/**
 * Knowledge search ranking (R13) on a small corpus written for it: articles matching more of the
 * query come first, a title match outweighs a tag match, which outweighs a body match, and an exact
 * word beats a longer word it is only the start of — the same on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/backends.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';

const base = { causes: [], steps: [], productTags: [], language: 'en' };
const corpus = [
  { ...base, title: 'Filter clogged, low airflow', symptom: 'Weak air from the indoor unit.' },
  { ...base, title: 'Filter cleaning schedule', symptom: 'How often to wash it.' },
  { ...base, title: 'Compressor hums', symptom: 'A humming compressor with a failed capacitor.' },
  { ...base, title: 'Outdoor unit noise', symptom: 'Noise from the fan.', causes: ['Loose capacitor bracket'] },
  { ...base, title: 'Indoor unit dripping', symptom: 'Water drips.', productTags: ['capacitor-kit'] },
  { ...base, title: 'Capacitor replacement', symptom: 'Discharge it first.' },
  { ...base, title: 'Error E1 on the display', symptom: 'Sensor fault.' },
  { ...base, title: 'Error E10 on the display', symptom: 'Communication fault.' },
  { ...base, title: '排水泵异响', symptom: '排水时有异响。', language: 'zh-CN' },
  { ...base, title: '洗衣机脱水异常', symptom: '脱水时排水泵异响，然后停机。', language: 'zh-CN' },
];

describe.each(await backends())('knowledge ranking on %s', (backend) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer(backend);
    for (const body of corpus) {
      const r = await s.api('POST', '/api/knowledge/articles?publish=true', { token: s.adminToken, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });
  afterAll(async () => s?.close());

  const ranked = async (q: string) =>
    ((await s.api('GET', `/api/knowledge/search?q=${encodeURIComponent(q)}`, { token: s.adminToken })).body.items as { title: string; score: number; matched: number }[]).map(
      (i) => [i.title, i.matched],
    );

  it('R13: more matched terms first', async () => {
    expect(await ranked('filter airflow')).toEqual([
      ['Filter clogged, low airflow', 2],
      ['Filter cleaning schedule', 1],
    ]);
  });

  it('R13: a title match outweighs a tag match, which outweighs a body match', async () => {
    expect((await ranked('capacitor')).map(([t]) => t)).toEqual(['Capacitor replacement', 'Indoor unit dripping', 'Compressor hums', 'Outdoor unit noise']);
    expect((await ranked('排水泵异响')).map(([t]) => t)).toEqual(['排水泵异响', '洗衣机脱水异常']);
  });

  it('R13: an exact word beats a longer word it only begins', async () => {
    expect((await ranked('E1')).map(([t]) => t)).toEqual(['Error E1 on the display', 'Error E10 on the display']);
  });
});
