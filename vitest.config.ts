import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Server-process tests (restart, two nodes) spawn their own children; two workers fit 2 cores.
    maxWorkers: 2,
  },
});
