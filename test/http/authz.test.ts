/**
 * R35: every route declares who may call it (`config.access`, collected in `app.routeAccess`), and
 * the server holds everyone else to it: 401 without a valid token, 403 for a role not in the list,
 * and never 401/403 (nor a 5xx) for a caller the route allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../engine/http/access.ts';
import { type TestServer, startTestServer } from '../helpers/server.ts';

type Role = 'agent' | 'supervisor' | 'admin';
type Caller = 'no token' | 'garbage token' | Role;
const ROLES: Role[] = ['agent', 'supervisor', 'admin'];
const CALLERS: Caller[] = ['no token', 'garbage token', ...ROLES];
const GARBAGE = 'not-a-real-token-0123456789abcdef';

/** The Swagger UI's static files (not /api/docs itself, its JSON and YAML). */
const isStaticDocsAsset = (url: string) => url.startsWith('/api/docs/static');

/** Path parameters filled with dummies: numbers where the schema wants an integer. */
function concretePath(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => (name === 'version' ? '1' : 'x'));
}

/** Full `METHOD path` routes from fastify's printRoutes tree (commonPrefix: false), HEAD left out. */
function routesFromTree(tree: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (depth ? stack[depth - 1]! : '') + m[2]!;
    stack.push(path);
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method && method !== 'HEAD') out.add(`${method} ${path}`);
  }
  return out;
}

const allows = (access: Access, caller: Caller): boolean => {
  if (access === 'public') return true;
  if (caller === 'no token' || caller === 'garbage token') return false;
  return access === 'user' || access.includes(caller);
};

describe('R35 route access', () => {
  let t: TestServer;
  const tokens: Record<Caller, string | null> = { 'no token': null, 'garbage token': GARBAGE, agent: '', supervisor: '', admin: '' };

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    tokens.agent = await t.user('agent1', { roles: ['agent'], teams: ['service-desk'] });
    tokens.supervisor = await t.user('supervisor1', { roles: ['supervisor'] });
    tokens.admin = t.adminToken;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function call(method: string, path: string, caller: Caller): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = {};
    const token = tokens[caller];
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      headers['content-type'] = 'application/json';
      body = '{}';
    }
    const res = await fetch(t.url + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text() };
  }

  it('R35: the access table is complete: every route fastify serves has an entry', () => {
    const table = t.server.app.routeAccess;
    const declared = new Set(table.map((r) => `${r.method} ${r.url}`));
    expect(declared.size, 'one entry per method and URL').toBe(table.length);
    for (const r of table) {
      expect(['public', 'user'].includes(r.access as string) || (Array.isArray(r.access) && r.access.length > 0), `${r.method} ${r.url}`).toBe(true);
      if (Array.isArray(r.access)) for (const role of r.access) expect(ROLES).toContain(role);
      expect(t.server.app.hasRoute({ method: r.method as 'GET', url: r.url }), `${r.method} ${r.url} is served`).toBe(true);
    }
    // A few known routes, spelled out, so an empty or truncated table cannot pass.
    for (const known of ['POST /api/auth/login', 'GET /api/tasks/:id', 'POST /api/tasks/:id/complete', 'POST /api/admin/clock', 'GET /api/audit', 'GET /api/docs']) {
      expect(declared, known).toContain(known);
    }
    // Every served route is in the table. Fastify registers the trailing-slash twin of a plugin's
    // '/' route (here '/api/docs/') without running onRoute hooks; it shares its twin's config, so
    // it counts as declared when its twin is (and the requests below check it behaves so). The tree
    // printer shows a wildcard under its nearest printed parent ('/api/docs/static/*' as
    // '/api/docs/*'), so wildcards are matched by method and number.
    const served = routesFromTree(t.server.app.printRoutes({ commonPrefix: false }));
    const method = (r: string) => r.split(' ')[0]!;
    const wildcards = [...served].filter((r) => r.includes('*'));
    // The printer can fold two wildcards under one printed parent, so it may show fewer than the table.
    expect(wildcards.length).toBeLessThanOrEqual(table.filter((r) => r.url.includes('*')).length);
    const twins = [...served].filter((r) => !r.includes('*') && !declared.has(r) && r.endsWith('/') && declared.has(r.slice(0, -1)));
    const undeclared = [...served].filter((r) => !r.includes('*') && !declared.has(r) && !twins.includes(r));
    expect(undeclared, 'routes without a declared access').toEqual([]);
    expect(served.size, `served: ${[...served].join(', ')}`).toBeLessThanOrEqual(table.length + twins.length);
  });

  it('R35: every route declares who may call it and answers 401/403 to everyone else', { timeout: 60_000 }, async () => {
    const table = t.server.app.routeAccess.filter((r) => !isStaticDocsAsset(r.url));
    expect(table.some((r) => r.url === '/api/docs' && r.access === 'public'), '/api/docs is public').toBe(true);
    // Logging out revokes the caller's token, so that route goes last.
    const ordered = [...table].sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));
    const twins = [...routesFromTree(t.server.app.printRoutes({ commonPrefix: false }))]
      .filter((r) => r.endsWith('/') && !table.some((e) => `${e.method} ${e.url}` === r))
      .map((r) => {
        const [method, url] = r.split(' ') as [string, string];
        const twin = table.find((e) => e.method === method && e.url === url.slice(0, -1));
        return twin && { method, url, access: twin.access };
      })
      .filter((r) => r !== undefined);

    const problems: string[] = [];
    let checked = 0;
    for (const route of [...twins, ...ordered]) {
      const path = concretePath(route.url);
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        for (const caller of CALLERS) {
          const res = await call(method, path, caller);
          checked++;
          const where = `${method} ${path} [access ${JSON.stringify(route.access)}] as ${caller}: ${res.status} ${res.body.slice(0, 200)}`;
          // The UI's pages answer 503 "run npm run build" until the browser apps are built; not an error.
          const unbuiltUi = res.status === 503 && !route.url.startsWith('/api') && route.url !== '/metrics';
          if (res.status >= 500 && !unbuiltUi) problems.push(`server error: ${where}`);
          if (allows(route.access, caller)) {
            if (res.status === 401 || res.status === 403) problems.push(`allowed caller refused: ${where}`);
          } else if (caller === 'no token' || caller === 'garbage token') {
            if (res.status !== 401) problems.push(`expected 401: ${where}`);
          } else if (res.status !== 403) problems.push(`expected 403: ${where}`);
          if (!allows(route.access, caller) && method !== 'HEAD') {
            const code = res.status === 401 ? 'LD_UNAUTHENTICATED' : res.status === 403 ? 'LD_FORBIDDEN' : undefined;
            if (code && !res.body.includes(`"code":"${code}"`)) problems.push(`expected error code ${code}: ${where}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // 5 callers for every route (twice for GET routes, with HEAD) — so nothing was silently skipped.
    const expected = [...twins, ...ordered].reduce((n, r) => n + (r.method === 'GET' ? 2 : 1) * CALLERS.length, 0);
    expect(checked).toBe(expected);
  });
});
