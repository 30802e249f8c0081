/**
 * Builds one test page (an html file and what it imports) with vite's JS API and the plugins of
 * the apps' build, into a fresh temporary folder. Served as static files it runs in a real
 * browser exactly as the production bundle would (minified, React in production mode).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export interface BuiltHarness {
  /** The folder to serve. */
  outDir: string;
  /** The page's path inside it, e.g. `/forms.html`. */
  page: string;
  ms: number;
}

export async function buildHarness(html: string, outDir?: string): Promise<BuiltHarness> {
  const started = performance.now();
  const file = resolve(html);
  const out = outDir ?? (await mkdtemp(join(tmpdir(), 'loopdesk-harness-')));
  await build({
    configFile: false,
    root: dirname(file),
    base: './',
    logLevel: 'warn',
    mode: 'production',
    plugins: [react()],
    build: {
      outDir: out,
      emptyOutDir: true,
      reportCompressedSize: false,
      // One page holding React, @rjsf and ajv is big by design; the apps' own build reports sizes.
      chunkSizeWarningLimit: 2048,
      rolldownOptions: { input: file },
    },
  });
  return { outDir: out, page: `/${basename(file)}`, ms: Math.round(performance.now() - started) };
}
