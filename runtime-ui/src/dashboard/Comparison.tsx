/**
 * Two groups of cases side by side (R28, R34): pilot vs baseline, or after vs before an
 * improvement. Durations show medians, the median difference with its bootstrap interval and the
 * Mann-Whitney p-value; rates show both values and the difference. The verdict says "not enough
 * data" on small groups rather than guessing.
 */
import type { Lang } from '../i18n.tsx';
import { formatDuration } from './heat.ts';
import { type DashboardKey, type DashboardText, metricName } from './messages.ts';
import { formatMetric, TableHead } from './parts.tsx';
import type { Comparison } from './types.ts';

const p = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value < 0.001 ? '<0.001' : value.toFixed(3));

function Verdict({ verdict, text }: { verdict: string; text: DashboardText }) {
  const tone = verdict === 'better' ? 'ok' : verdict === 'worse' ? 'bad' : 'muted';
  return (
    <td className={tone} data-verdict={verdict}>
      {text(`verdict.${verdict}` as DashboardKey)}
    </td>
  );
}

export function ComparisonTable({
  comparison,
  labels,
  text,
  lang,
  testId,
}: {
  comparison: Comparison;
  /** Column titles of the group under test and the group it is compared with. */
  labels: [string, string];
  text: DashboardText;
  lang: Lang;
  testId: string;
}) {
  const signed = (ms: number | null) => (ms === null ? '–' : `${ms > 0 ? '+' : ms < 0 ? '−' : ''}${formatDuration(Math.abs(ms), lang)}`);
  const { pilot, baseline } = comparison.groups;
  return (
    <div className="comparison" data-testid={testId}>
      <p className="muted" data-testid={`${testId}-groups`}>
        {labels[0]} · n = <b data-group="pilot">{pilot?.cases ?? 0}</b> — {labels[1]} · n ={' '}
        <b data-group="baseline">{baseline?.cases ?? 0}</b> · {text('minGroup', { n: comparison.minGroupSize })}
      </p>
      <h3>{text('durations')}</h3>
      <table className="data">
        <TableHead columns={[text('metric'), labels[0], labels[1], text('difference'), text('ci'), text('pValue'), text('verdict')]} />
        <tbody>
          {comparison.durations.map((d) => (
            <tr key={d.metric} data-metric={d.metric}>
              <td>{metricName(d.metric, lang)}</td>
              <td>
                {formatDuration(d.pilot.median, lang)} <span className="muted">(n={d.pilot.count})</span>
              </td>
              <td>
                {formatDuration(d.baseline.median, lang)} <span className="muted">(n={d.baseline.count})</span>
              </td>
              <td>{signed(d.medianDifference ?? null)}</td>
              <td>{d.ci ? `${signed(d.ci.lower ?? null)} … ${signed(d.ci.upper ?? null)}` : '–'}</td>
              <td>{p(d.mannWhitney?.pValue)}</td>
              <Verdict verdict={d.verdict} text={text} />
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{text('rates')}</h3>
      <table className="data">
        <TableHead columns={[text('metric'), labels[0], labels[1], text('difference'), text('pValue'), text('verdict')]} />
        <tbody>
          {comparison.metrics.map((m) => (
            <tr key={m.metric} data-metric={m.metric}>
              <td>{metricName(m.metric, lang)}</td>
              <td>{formatMetric(m.metric, m.pilot.value ?? null, lang)}</td>
              <td>{formatMetric(m.metric, m.baseline.value ?? null, lang)}</td>
              <td>{m.difference === null || m.difference === undefined ? '–' : formatMetric(m.metric, m.difference, lang)}</td>
              <td>{p(m.pValue)}</td>
              <Verdict verdict={m.verdict} text={text} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
