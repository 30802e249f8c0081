/**
 * A real Loopdesk server for a test: real database (fresh per call), real HTTP listener on an
 * ephemeral port, real job runner. `api()` talks to it over HTTP like any client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../engine/config.ts';
import { type Server, createServer } from '../../engine/server.ts';
import { type Backend, freshDatabaseUrl } from './backends.ts';

export const ADMIN_PASSWORD = 'admin-test-password';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  url: string;
  server: Server;
  databaseUrl: string;
  adminToken: string;
  api<T = any>(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  login(username: string, password: string): Promise<string>;
  /** Creates a user through the API and returns a token for them. */
  user(username: string, fields?: { roles?: string[]; teams?: string[]; departments?: string[]; permissions?: string[] }): Promise<string>;
  deploy(xml: string, publish?: boolean): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startTestServer(
  backend: Backend,
  options: {
    manualClock?: boolean;
    clockStart?: string;
    definitionsDir?: string;
    databaseUrl?: string;
    /** More environment for loadConfig (e.g. LOOPDESK_OIDC_*). */
    env?: Record<string, string>;
    /** Listen on this port instead of a free one (when a URL of the server must be known up front). */
    port?: number;
  } = {},
): Promise<TestServer> {
  const fresh = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await freshDatabaseUrl(backend);
  const emptyDefs = mkdtempSync(join(tmpdir(), 'loopdesk-defs-'));
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    LOOPDESK_CLOCK: options.manualClock ? 'manual' : 'system',
    LOOPDESK_CLOCK_START: options.clockStart,
    LOOPDESK_DEFINITIONS: options.definitionsDir ?? emptyDefs,
    LOOPDESK_JOB_POLL_MS: '100',
    LOOPDESK_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...options.env,
  });
  process.env.LOOPDESK_ADMIN_PASSWORD = ADMIN_PASSWORD;
  // Test workers share 2 cores with builds and browsers; load shedding is not what these tests measure.
  process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS ??= '30000';
  const server = await createServer(config);
  await server.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  server.runner.start();
  const address = server.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  const api: TestServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string') body = opts.body;
      else {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // non-JSON bodies (XML) stay text
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  const login = async (username: string, password: string) => {
    let r = await api('POST', '/api/auth/login', { body: { username, password } });
    // A server started with a tight overload limit (the load-shedding suite) may still count its
    // own start-up as overload on a busy machine; like any client, try again shortly.
    for (let tries = 0; r.status === 503 && r.body?.code === 'LD_OVERLOADED' && tries < 40; tries++) {
      await new Promise((done) => setTimeout(done, 250));
      r = await api('POST', '/api/auth/login', { body: { username, password } });
    }
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const adminToken = await login('admin', ADMIN_PASSWORD);
  return {
    url,
    server,
    databaseUrl: fresh.url,
    adminToken,
    api,
    login,
    async user(username, fields = {}) {
      const password = `${username}-password`;
      const r = await api('POST', '/api/users', {
        token: adminToken,
        body: { username, password, roles: fields.roles ?? ['agent'], teams: fields.teams ?? [], departments: fields.departments ?? [], permissions: fields.permissions ?? [] },
      });
      if (r.status !== 201) throw new Error(`creating ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return login(username, password);
    },
    deploy: (xml, publish = true) =>
      api('POST', `/api/processes?publish=${publish}`, { body: xml, token: adminToken, headers: { 'content-type': 'application/xml' } }),
    async close() {
      await server.close();
      await fresh.drop();
    },
  };
}
