/**
 * Builds the browser apps (runtime UI, designer) into `dist/`, one page per app. The pages are the
 * `index.html` files of the apps that exist; `LOOPDESK_PAGES` (comma-separated paths from the repo
 * root) builds others instead, e.g. a test harness. Tests build single pages with
 * `test/helpers/buildHarness.ts`, which uses the same plugins.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));

export const APP_PAGES = ['runtime-ui/index.html', 'designer/index.html'];

/** Rollup/rolldown `input`: page name (its folder) → absolute path, for the pages that exist. */
export function pagesFor(candidates: readonly string[] = APP_PAGES, base = root): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const page of candidates) {
    const file = resolve(base, page);
    if (existsSync(file)) pages[dirname(page).replace(/[\\/]/g, '-') || 'index'] = file;
  }
  return pages;
}

export function pagesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.LOOPDESK_PAGES?.split(',').map((p) => p.trim()).filter(Boolean);
  return list && list.length > 0 ? list : APP_PAGES;
}

export default defineConfig(() => {
  const input = pagesFor(pagesFromEnv());
  if (Object.keys(input).length === 0)
    throw new Error(`vite.config.ts: none of the pages exists: ${pagesFromEnv().join(', ')} (set LOOPDESK_PAGES)`);
  return {
    root,
    base: './',
    plugins: [react()],
    // The designer is served at /designer/ (engine/http/designerStatic.ts): its page names its files
    // `./assets/…` so they load under /designer/ too; other pages keep vite's relative URLs.
    experimental: {
      renderBuiltUrl: (filename: string, { hostType, hostId }: { hostType: string; hostId: string }) =>
        hostType === 'html' && /(^|[\\/])designer[\\/]index\.html$/.test(hostId) ? `./${filename}` : { relative: true },
    },
    build: {
      outDir: resolve(root, 'dist'),
      emptyOutDir: true,
      rolldownOptions: { input },
    },
  };
});
