/**
 * R40: one request id from the caller (or the load balancer) to the response, the server's JSON
 * log and the audit row of the change it made; a header that is not a sane token is replaced.
 * And CORS stays closed: no other origin is ever allowed to read the API from a browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, spawnServer, waitFor } from '../helpers/processes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids and CORS', () => {
  let s: ServerProcess;
  let admin: string;
  beforeAll(async () => {
    s = await spawnServer({ backend: 'sqlite', env: { LOG_LEVEL: 'info' } });
    admin = await s.login('admin', (await import('../helpers/processes.ts')).CHILD_ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('R40: the caller’s request id is echoed, logged and kept in the audit row of the change', async () => {
    const id = 'trace-7f3a.42:ui';
    const r = await s.api('POST', '/api/customers', { token: admin, body: { name: '陈小明', phone: '13812345678' }, headers: { 'x-request-id': id } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(id);
    const audit = await s.api('GET', `/api/audit?entityType=customer&entityId=${r.body.id}`, { token: admin });
    expect(audit.status).toBe(200);
    const rows = audit.body.items ?? audit.body;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row: { requestId: string }) => row.requestId === id)).toBe(true);
    // fastify's own JSON log line of that request carries the same id.
    await waitFor('the log line', async () =>
      s
        .stdout()
        .split('\n')
        .some((line) => {
          try {
            const entry = JSON.parse(line);
            return entry.reqId === id && entry.req?.url === '/api/customers';
          } catch {
            return false;
          }
        }),
    );
  });

  it('R40: a request id that is not a sane token is replaced by a fresh one', async () => {
    for (const bad of ['x'.repeat(101), 'has space', 'new\tline', '']) {
      const r = await s.api('GET', '/api/health', { headers: { 'x-request-id': bad } });
      expect(r.headers.get('x-request-id'), JSON.stringify(bad)).toMatch(UUID);
    }
    const [a, b] = await Promise.all([s.api('GET', '/api/health'), s.api('GET', '/api/health')]);
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('R39: CORS is closed: other origins get no allow-origin, on preflight or on a real request', async () => {
    const origin = 'https://evil.example';
    const preflight = await fetch(`${s.url}/api/customers`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const real = await fetch(`${s.url}/api/customers`, { headers: { origin, authorization: `Bearer ${admin}` } });
    expect(real.headers.get('access-control-allow-origin')).toBeNull();
  });
});
