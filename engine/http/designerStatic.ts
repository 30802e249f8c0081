/**
 * Serves the designer's built files at /designer/ (public: the page itself holds no data, every API
 * call it makes needs a login). The folder is the vite build of designer/index.html —
 * `dist/designer` by default, `LOOPDESK_DESIGNER_DIR` for another build (tests build into a temp
 * folder). Its asset URLs are relative (`./assets/…`); when the folder has no `assets/` of its own
 * (the root build puts every app's assets in `dist/assets`) they are read from the one beside it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const DEFAULT_DIR = fileURLToPath(new URL('../../dist/designer', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};

/**
 * The designer's page runs what ajv compiles (`new Function`: the form preview validates with the
 * server's ajv set-up, as the runtime UI does) and offers downloads from `blob:` URLs; the rest is
 * helmet's default policy. No `upgrade-insecure-requests`: the server speaks plain HTTP by default.
 */
const designerHelmet = {
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

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Loopdesk designer — not built</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Loopdesk 设计器 designer</h1>
<p>设计器尚未构建：请运行 <code>npx vite build</code>，然后刷新本页。</p>
<p>The designer has not been built: run <code>npx vite build</code>, then reload this page.</p>
</body></html>`;

export interface DesignerStaticOptions {
  /** The built designer (index.html and assets); default LOOPDESK_DESIGNER_DIR or dist/designer. */
  dir?: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A path under `root`, or undefined when the request tries to leave it. */
function inside(root: string, relative: string): string | undefined {
  const file = normalize(join(root, relative));
  return file.startsWith(root + sep) ? file : undefined;
}

export async function designerStatic(app: FastifyInstance, options: DesignerStaticOptions = {}) {
  const dir = resolve(options.dir ?? process.env.LOOPDESK_DESIGNER_DIR ?? DEFAULT_DIR);
  const route = { config: { access: 'public' as const }, schema: { hide: true }, helmet: designerHelmet };

  const send = async (reply: FastifyReply, file: string, immutable: boolean) => {
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    reply.header('content-type', type);
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(createReadStream(file));
  };

  const index = async (_req: unknown, reply: FastifyReply) => {
    const file = join(dir, 'index.html');
    if (!(await isFile(file))) {
      // As the runtime UI's page does before a build: 503 with how to make one.
      return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    return send(reply, file, false);
  };

  // Relative asset URLs need the trailing slash.
  app.get('/designer', route, async (_req, reply) => reply.redirect('/designer/', 302));
  app.get('/designer/', route, index);
  app.get<{ Params: { '*': string } }>('/designer/*', route, async (req, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(req.params['*'] ?? '');
    } catch {
      return reply.status(400).type('text/plain; charset=utf-8').send('bad path');
    }
    if (path === '' || path === 'index.html') return index(req, reply);
    const candidates = [inside(dir, path)];
    // The root build keeps every app's assets in dist/assets, beside dist/designer.
    if (path.startsWith('assets/')) candidates.push(inside(resolve(dir, '..'), path));
    for (const file of candidates) if (file && (await isFile(file))) return send(reply, file, path.startsWith('assets/'));
    return reply.status(404).type('text/plain; charset=utf-8').send('not found');
  });
}
