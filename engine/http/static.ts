/**
 * Serves the built runtime UI (`npm run build` → `dist/`): the app's page at `/` and at every client
 * route that is not `/api/*` (the browser router takes over from there), its hashed files under
 * `/assets/`. Without a build, `/` answers 503 with a page saying how to make one.
 *
 * The build folder is `LOOPDESK_UI_DIR` (default `<repo>/dist`), laid out as vite's multi-page build
 * writes it: `runtime-ui/index.html` plus the shared `assets/`. It is looked at per request, so a
 * build made while the server runs is served without a restart.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Where the build lives: `LOOPDESK_UI_DIR`, else `dist/` in the repository. */
export function uiDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LOOPDESK_UI_DIR ?? join(REPO, 'dist'));
}

const APP = 'runtime-ui';

/**
 * The app's document may run what ajv compiles (`new Function`: the browser validates forms with the
 * server's ajv set-up) and show attachment previews from `blob:` URLs (fetched with the bearer
 * token); everything else keeps helmet's defaults. No `upgrade-insecure-requests`: the server
 * listens on plain HTTP by default and a TLS proxy in front sets its own policy.
 */
const appHelmet = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'script-src': ["'self'", "'unsafe-eval'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'"],
      'upgrade-insecure-requests': null,
    },
  },
};

const MISSING_BUILD = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Loopdesk — UI not built</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Loopdesk</h1>
<p>界面尚未构建：请运行 <code>npm run build</code>，然后刷新本页。</p>
<p>The user interface has not been built: run <code>npm run build</code>, then reload this page.</p>
<p>API: <a href="/api/docs">/api/docs</a></p>
</body></html>`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A path inside `root` for a URL path, or undefined when it would leave it. */
function inside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root + sep) ? file : undefined;
}

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  // Only `reply.sendFile` (ranges, ETag, content types); the routes below are ours, so each one
  // declares its access like every other route.
  await app.register(fastifyStatic, { serve: false });
  const publicRoute = { config: { access: 'public' as const }, schema: { hide: true } };

  const sendApp = (reply: FastifyReply) => {
    const root = join(uiDir(), APP);
    if (!existsSync(join(root, 'index.html'))) {
      return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(MISSING_BUILD);
    }
    // Revalidated on every visit: it names the hashed files of the current build.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/assets/*', publicRoute, (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const root = join(uiDir(), 'assets');
    const file = inside(root, req.params['*']);
    if (!file || !isFile(file)) return reply.callNotFound();
    // Names carry a content hash: a file never changes under its name.
    return reply.sendFile(file.slice(root.length + 1), root, { immutable: true, maxAge: '365d' });
  });

  app.get('/', { ...publicRoute, helmet: appHelmet }, (_req, reply) => sendApp(reply));

  // Client routes (/inbox, /cases/FB202405001, …) get the app; unknown /api paths stay 404s.
  app.get('/*', { ...publicRoute, helmet: appHelmet }, (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const path = req.params['*'];
    if (path === 'api' || path.startsWith('api/')) return reply.callNotFound();
    const root = join(uiDir(), APP);
    const file = inside(root, path);
    if (file && isFile(file)) return reply.header('cache-control', 'no-cache').sendFile(file.slice(root.length + 1), root, { cacheControl: false });
    return sendApp(reply);
  });
}
