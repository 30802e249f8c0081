/**
 * R35: under overload the server sheds load with 503 + Retry-After instead of falling over, the
 * refused request does nothing (no half-run handler behind the 503), and it serves again once the
 * load is gone. The overload is real: the server's own event loop kept busy in 150 ms slices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shedLoad } from '../../engine/http/app.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: this is the load
  }
};

describe('R35: load shedding', () => {
  let s: TestServer;
  const before = process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS;
  beforeAll(async () => {
    process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = '40';
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
    if (before === undefined) delete process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS;
    else process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = before;
  });

  const count = async (name: string) => (await s.api('GET', `/api/customers?q=${encodeURIComponent(name)}`, { token: s.adminToken })).body.length;

  it('R35: a saturated event loop answers 503 LD_OVERLOADED with Retry-After, runs nothing, and recovers', async () => {
    let loaded = true;
    const load = (async () => {
      while (loaded) {
        busyFor(150);
        await new Promise((done) => setImmediate(done));
      }
    })();
    try {
      // Past one sampling interval (1 s) of load, the server knows it is overloaded.
      await new Promise((done) => setTimeout(done, 1500));
      const refused = await s.api('POST', '/api/customers', { token: s.adminToken, body: { name: '过载测试' } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.body.code).toBe('LD_OVERLOADED');
      expect(refused.headers.get('retry-after')).toBe('5');
    } finally {
      loaded = false;
      await load;
    }
    // Two quiet intervals later the server serves again, and the refused write never happened.
    await new Promise((done) => setTimeout(done, 2500));
    expect(await count('过载测试')).toBe(0);
    const served = await s.api('POST', '/api/customers', { token: s.adminToken, body: { name: '过载之后' } });
    expect(served.status).toBe(201);
  }, 30_000);
});

describe('R35: what counts as overload', () => {
  it('R35: a measured delay over the limit is refused; "no samples" after one long block (start-up) is not', async () => {
    await expect(shedLoad('eventLoopDelay', 2500)).rejects.toMatchObject({ code: 'LD_OVERLOADED', statusCode: 503 });
    await expect(shedLoad('heapUsedBytes', 1e10)).rejects.toMatchObject({ code: 'LD_OVERLOADED' });
    expect(shedLoad('eventLoopDelay', Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
