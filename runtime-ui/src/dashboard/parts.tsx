/** Pieces every dashboard panel uses: the panel frame and how metric values read. */
import type { ReactNode } from 'react';
import { formatDuration } from './heat.ts';

export function Panel({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <section className="panel" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A table's header row; an empty string leaves a column (buttons) untitled. */
export function TableHead({ columns }: { columns: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed per table
          <th key={i}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

export const pct = (rate: number | null | undefined) => (rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)}%`);

/** A metric's value as people read it: rates as %, durations in h/min, others as numbers. */
export function formatMetric(metric: string, value: number | null, lang: 'zh-CN' | 'en'): string {
  if (value === null) return '–';
  if (/Ms\./.test(metric) || metric.endsWith('Ms')) return formatDuration(value, lang);
  if (/rate|attainment/i.test(metric)) return pct(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

