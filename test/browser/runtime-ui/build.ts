/**
 * Builds the runtime UI exactly as `npm run build` does (the root vite.config.ts, only its page)
 * into a folder the server serves with LOOPDESK_UI_DIR, and measures what a first visit downloads.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const CONFIG = fileURLToPath(new URL('../../../vite.config.ts', import.meta.url));
const PAGE = 'runtime-ui/index.html';

export interface BuiltUi {
  /** The build folder (runtime-ui/index.html + assets/): the server's LOOPDESK_UI_DIR. */
  dir: string;
  ms: number;
}

export async function buildRuntimeUi(outDir?: string): Promise<BuiltUi> {
  const started = performance.now();
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'loopdesk-ui-')));
  const pages = process.env.LOOPDESK_PAGES;
  const nodeEnv = process.env.NODE_ENV;
  process.env.LOOPDESK_PAGES = PAGE;
  // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: CONFIG,
      logLevel: 'warn',
      mode: 'production',
      build: { outDir: dir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
    });
  } finally {
    if (pages === undefined) delete process.env.LOOPDESK_PAGES;
    else process.env.LOOPDESK_PAGES = pages;
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return { dir, ms: Math.round(performance.now() - started) };
}

export interface FirstLoad {
  /** The entry chunk and the chunks it imports statically (what the page preloads). */
  files: string[];
  bytes: number;
  gzipBytes: number;
}

/** The JavaScript a first visit loads before anything is lazy-loaded: entry script + its modulepreloads. */
export async function firstLoadJs(dir: string): Promise<FirstLoad> {
  const html = join(dir, PAGE);
  const text = await readFile(html, 'utf8');
  const refs = [
    ...text.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...text.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => resolve(dirname(html), m[1]!));
  const files = [...new Set(refs)];
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = await readFile(file);
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}
