/**
 * The case's node visits in order (R0c, R24 per case): when each step was entered and left, its
 * wall-clock and working-hours duration, who completed it. A step visited again (handling reopened
 * after a low score, R19) has a row per visit. Running steps count up to the engine's now.
 */
import { useId, useState } from 'react';
import type { Visit } from '../../api.ts';
import { formatDateTime, formatDuration, nodeName } from '../../format.ts';
import { hasText, useI18n } from '../../i18n.tsx';

const isGateway = (type: string) => /Gateway$/.test(type);

export function Timeline({ history, now }: { history: readonly Visit[]; now: number | undefined }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [showAll, setShowAll] = useState(false);
  const seen = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const v of history) totals.set(v.nodeId, (totals.get(v.nodeId) ?? 0) + 1);
  const rows = history.map((v) => {
    const n = (seen.get(v.nodeId) ?? 0) + 1;
    seen.set(v.nodeId, n);
    const running = v.leftAt === null || v.leftAt === undefined;
    const wall = running ? (now === undefined ? null : Math.max(0, now - v.enteredAt)) : (v.durationMs ?? v.leftAt! - v.enteredAt);
    return { v, n, repeated: (totals.get(v.nodeId) ?? 0) > 1, running, wall };
  });
  const visible = rows.filter((r) => showAll || !isGateway(r.v.type));
  const longest = Math.max(1, ...visible.map((r) => r.wall ?? 0));

  return (
    <section aria-labelledby={`${id}-title`} className="card timeline">
      <div className="title-row">
        <h2 id={`${id}-title`}>{t('case.timeline')}</h2>
        <label className="checkbox">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
          {t('case.timeline.showAll')}
        </label>
      </div>
      <table className="timeline-table">
        <thead>
          <tr>
            <th scope="col">{t('case.timeline.node')}</th>
            <th scope="col">{t('case.timeline.entered')}</th>
            <th scope="col">{t('case.timeline.left')}</th>
            <th scope="col">{t('case.timeline.wall')}</th>
            <th scope="col">{t('case.timeline.working')}</th>
            <th scope="col">{t('case.timeline.by')}</th>
          </tr>
        </thead>
        <tbody>
          {visible.map(({ v, n, repeated, running, wall }) => {
            const outcomeKey = `case.timeline.outcome.${v.outcome}`;
            return (
              <tr key={`${v.nodeId}-${n}`} data-node={v.nodeId} data-visit={n} className={running ? 'running' : undefined}>
                <th scope="row" data-label={t('case.timeline.node')}>
                  {nodeName(v.name, v.nodeId, lang)}
                  {repeated ? <span className="tag">{t('case.timeline.visit', { n })}</span> : null}
                  {running ? <span className="tag tag-live">{t('case.timeline.running')}</span> : null}
                  {v.outcome && v.outcome !== 'completed' && hasText(outcomeKey) ? <span className="tag">{t(outcomeKey)}</span> : null}
                  <span className="bar" aria-hidden="true">
                    <span style={{ width: `${Math.max(1, Math.round(((wall ?? 0) / longest) * 100))}%` }} />
                  </span>
                </th>
                <td data-label={t('case.timeline.entered')}>{formatDateTime(v.enteredAt, lang)}</td>
                <td data-label={t('case.timeline.left')}>{running ? '—' : formatDateTime(v.leftAt, lang)}</td>
                <td data-label={t('case.timeline.wall')} data-testid="wall">
                  {wall === null ? '—' : formatDuration(wall, t)}
                </td>
                <td data-label={t('case.timeline.working')} data-testid="working">
                  {v.workingMs === null || v.workingMs === undefined ? '—' : formatDuration(v.workingMs, t)}
                </td>
                <td data-label={t('case.timeline.by')}>{v.completedBy ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
