/**
 * knowledge-search: ranked knowledge-base search (R13) over 20,000 generated articles (80% Chinese,
 * 20% English, 12 products × 14 faults with varied wording) on a SQLite file, through the same use
 * cases the HTTP routes call: articles are written with `createArticle` (index kept in the same
 * transaction), then agents' queries — Chinese phrasings that differ from the titles ("空调不制冷"),
 * error codes, English words — run one after another for a few seconds.
 *
 * Target: p99 < 20 ms and ≥ 200 queries/s on one core at 20,000 articles — an agent types a query
 * and sees results without noticing a wait. Also reported: indexing rate and start-up rebuild time
 * (the SQLite index is rebuilt when the server starts). BENCH_DATABASE_URL=postgres://… runs the
 * same on an empty PostgreSQL database instead.
 */
import { ManualClock } from '../../engine/core/clock.ts';
import { builtInHandlers } from '../../engine/handlers/index.ts';
import { createArticle, searchArticles } from '../../engine/knowledge/articles.ts';
import { ensureKnowledgeSearch } from '../../engine/knowledge/searchIndex.ts';
import { openPostgres, openSqlite } from '../../engine/store/db.ts';
import { openDatabase, parseDatabaseUrl } from '../../engine/store/schema.ts';
import { type Principal, SYSTEM, createContext } from '../../engine/usecases/context.ts';
import { percentile, round, tempSqliteFile } from '../feedbackWorkload.ts';
import { seededRandom } from '../../engine/analytics/stats.ts';

export const name = 'knowledge-search';

const PRODUCTS = ['空调', '冰箱', '洗衣机', '热水器', '电视', '油烟机', '燃气灶', '微波炉', '洗碗机', '净水器', '扫地机器人', '空气净化器'];
const PRODUCTS_EN = ['air conditioner', 'refrigerator', 'washing machine', 'water heater', 'TV', 'range hood', 'gas stove', 'microwave', 'dishwasher', 'water purifier', 'robot vacuum', 'air purifier'];
const FAULTS = ['制冷效果差', '无法开机', '漏水', '噪音大', '遥控器失灵', '不排水', '显示故障代码E1', '显示故障代码E4', '有异味', '频繁停机', '指示灯闪烁', '不加热', '震动大', '门打不开'];
const FAULTS_EN = ['not cooling well', 'will not power on', 'leaking water', 'loud noise', 'remote control not working', 'not draining', 'error code E1', 'error code E4', 'bad smell', 'stops often', 'indicator light flashing', 'not heating', 'strong vibration', 'door will not open'];
const CAUSES = ['滤网积灰堵塞', '电源电压不稳', '传感器损坏', '排水管弯折', '控制板故障', '冷媒不足', '安装不水平', '密封条老化', '风扇叶片变形', '电容损坏'];
const STEPS = ['断电后检查电源插头与空气开关', '清洗滤网并试机', '测量传感器阻值', '检查排水管走向', '更换损坏部件并复测', '告知客户保养方法', '记录故障代码并上报技术部'];
const QUERIES = ['空调不制冷', '洗衣机不排水', '冰箱漏水', '热水器不加热', 'E4', '故障代码E1', '噪音', '遥控器', '指示灯一直闪', 'not cooling', 'washing machine draining', 'error E4', 'loud noise dishwasher', '扫地机器人无法开机', '油烟机有异味'];


export async function run(articles = Number(process.env.BENCH_ARTICLES ?? 20_000), durationMs = Number(process.env.BENCH_DURATION_MS ?? 3_000)) {
  const config = parseDatabaseUrl(process.env.BENCH_DATABASE_URL, tempSqliteFile());
  const db = await openDatabase(config);
  await ensureKnowledgeSearch(db);
  const ctx = createContext(db, new ManualClock(), builtInHandlers());
  const random = seededRandom(13);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];

  const write = async (i: number) => {
    const p = Math.floor(random() * PRODUCTS.length);
    const f = Math.floor(random() * FAULTS.length);
    const english = i % 5 === 4;
    const title = english ? `${PRODUCTS_EN[p]} ${FAULTS_EN[f]} (${i})` : `${PRODUCTS[p]}${FAULTS[f]}（型号 ${i}）`;
    await createArticle(
      ctx,
      {
        title,
        symptom: english ? `The customer reports the ${PRODUCTS_EN[p]} is ${FAULTS_EN[f]} after ${1 + (i % 24)} months.` : `客户反映${PRODUCTS[p]}使用${1 + (i % 24)}个月后${FAULTS[f]}，${pick(FAULTS)}。`,
        causes: [pick(CAUSES), pick(CAUSES), pick(CAUSES)],
        steps: [pick(STEPS), pick(STEPS), pick(STEPS), pick(STEPS)],
        productTags: [english ? PRODUCTS_EN[p] : PRODUCTS[p]],
        language: english ? 'en' : 'zh-CN',
      },
      SYSTEM,
      { status: 'published' },
    );
  };
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < articles) await write(next++);
    }),
  );
  const indexSeconds = (performance.now() - began) / 1000;

  const agent: Principal = { id: 'bench-agent', username: 'bench-agent', roles: ['agent'], teams: [], departments: [], skills: [], permissions: [] };
  let results = 0;
  for (const q of QUERIES) results += (await searchArticles(ctx, { q, limit: 10 }, agent)).items.length; // warm-up
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < durationMs; i++) {
    const s = performance.now();
    results += (await searchArticles(ctx, { q: QUERIES[i % QUERIES.length], limit: 10 }, agent)).items.length;
    latencies.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  await db.close();
  if (results === 0) throw new Error('no query found anything');

  // What a restart costs: a new connection has no index yet and rebuilds it from the articles.
  const reopened = config.kind === 'sqlite' ? openSqlite(config.location) : openPostgres(config.location);
  const r0 = performance.now();
  await ensureKnowledgeSearch(reopened);
  const rebuildMs = performance.now() - r0;
  await reopened.close();

  latencies.sort((a, b) => a - b);
  return {
    database: config.kind,
    articles,
    queriesPerSec: round(latencies.length / seconds, 1),
    p50ms: round(percentile(latencies, 50)),
    p99ms: round(percentile(latencies, 99)),
    articlesIndexedPerSec: round(articles / indexSeconds, 1),
    startupRebuildMs: Math.round(rebuildMs),
  };
}
