/**
 * The engine-feedback workload shared by the in-process and HTTP benchmarks: the basic feedback
 * process (register → urgency gateway → handle with an armed PT2H non-interrupting boundary timer
 * → callback → score gateway → end), deployed on a fresh SQLite file.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FEEDBACK_XML = readFileSync(new URL('../test/fixtures/feedback-basic.bpmn', import.meta.url), 'utf8');
export const FEEDBACK_KEY = 'feedback-basic';

export function tempSqliteFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'loopdesk-bench-')), 'bench.sqlite');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
