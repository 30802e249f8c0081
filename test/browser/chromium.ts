/**
 * What every browser suite needs: Debian's chromium (never skipped when missing: the suite fails
 * and says what to install), and the environment variables a suite sets put back afterwards.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function assertChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium. This test never skips.`);
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** Remembers the variables now; the returned function restores them (deleting those that were unset). */
export function rememberEnv(...keys: string[]): () => void {
  const before = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
