/**
 * Time left until an SLA deadline, coloured: warn when less than 20% of the window is left,
 * breach once it has passed. The colour is never the only signal: the text says "overdue" and the
 * label names the level.
 */
import { formatDuration, slaLevel } from '../format.ts';
import { useI18n } from '../i18n.tsx';

export function SlaCountdown({ dueAt, startedAt, now }: { dueAt: number | null | undefined; startedAt?: number; now: number | undefined }) {
  const { t } = useI18n();
  if (dueAt === null || dueAt === undefined || now === undefined) return <span className="muted">{t('sla.none')}</span>;
  const level = slaLevel(dueAt, startedAt, now);
  const left = dueAt - now;
  const text = left > 0 ? t('sla.left', { d: formatDuration(left, t) }) : t('sla.over', { d: formatDuration(left, t) });
  const levelText = level === 'breach' ? t('sla.breach') : level === 'warn' ? t('sla.warn') : undefined;
  return (
    <span className={`sla sla-${level}`} data-sla={level} title={levelText}>
      {level !== 'ok' ? <span className="sla-dot" aria-hidden="true" /> : null}
      {text}
      {levelText && level === 'warn' ? <span className="visually-hidden"> ({levelText})</span> : null}
    </span>
  );
}
