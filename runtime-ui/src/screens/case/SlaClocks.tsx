/**
 * The case's SLA clocks (R5–R8): target, time used, time left (counting down against the engine's
 * clock while running), due time and state. Names come from the SLA policy.
 */
import { useId } from 'react';
import { api, type SlaClock } from '../../api.ts';
import { SlaCountdown } from '../../components/SlaCountdown.tsx';
import { formatDateTime, formatDuration } from '../../format.ts';
import { hasText, useI18n } from '../../i18n.tsx';
import { useLoad } from '../../useLoad.ts';

interface Policy {
  key: string;
  clocks: { key: string; name?: string | Record<string, string> }[];
}

const policies = new Map<string, Promise<Policy | null>>();
function policy(key: string): Promise<Policy | null> {
  let p = policies.get(key);
  if (!p) {
    p = api.get<Policy>(`/api/sla-policies/${encodeURIComponent(key)}`).catch(() => null);
    policies.set(key, p);
  }
  return p;
}

export function SlaClocks({ clocks, now }: { clocks: readonly SlaClock[]; now: number | undefined }) {
  const { t, lang } = useI18n();
  const id = useId();
  const keys = [...new Set(clocks.map((c) => c.policy))].sort().join(',');
  const named = useLoad(async () => {
    const names = new Map<string, string | Record<string, string>>();
    for (const key of keys.split(',').filter(Boolean)) {
      for (const c of (await policy(key))?.clocks ?? []) if (c.name) names.set(`${key}/${c.key}`, c.name);
    }
    return names;
  }, [keys]);
  const nameOf = (c: SlaClock) => {
    const name = named.data?.get(`${c.policy}/${c.key}`);
    if (!name) return c.key;
    return typeof name === 'string' ? name : (name[lang] ?? Object.values(name)[0] ?? c.key);
  };

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`}>{t('case.sla')}</h2>
      {clocks.length === 0 ? (
        <p className="muted">{t('sla.none')}</p>
      ) : (
        <table className="sla-table">
          <thead>
            <tr>
              <th scope="col">{t('case.sla')}</th>
              <th scope="col">{t('case.state')}</th>
              <th scope="col">{t('case.sla.target')}</th>
              <th scope="col">{t('case.sla.elapsed')}</th>
              <th scope="col">{t('case.sla.remaining')}</th>
              <th scope="col">{t('case.sla.due')}</th>
            </tr>
          </thead>
          <tbody>
            {clocks.map((c) => {
              const stateKey = `case.sla.state.${c.state}`;
              const running = c.stoppedAt === null && c.dueAt !== null;
              return (
                <tr key={`${c.policy}/${c.key}/${c.startedAt}`} data-clock={c.key} data-state={c.state}>
                  <th scope="row" data-label={t('case.sla')}>
                    {nameOf(c)}
                  </th>
                  <td data-label={t('case.state')}>{hasText(stateKey) ? t(stateKey) : c.state}</td>
                  <td data-label={t('case.sla.target')}>
                    {formatDuration(c.targetMs, t)}
                    {c.workingTime ? <span className="muted small"> ({t('case.sla.working')})</span> : null}
                  </td>
                  <td data-label={t('case.sla.elapsed')}>{formatDuration(c.elapsedMs, t)}</td>
                  <td data-label={t('case.sla.remaining')}>
                    {running ? (
                      <SlaCountdown dueAt={c.dueAt} startedAt={c.startedAt} now={now} />
                    ) : c.remainingMs < 0 ? (
                      t('sla.over', { d: formatDuration(c.remainingMs, t) })
                    ) : (
                      formatDuration(c.remainingMs, t)
                    )}
                  </td>
                  <td data-label={t('case.sla.due')}>{formatDateTime(c.dueAt, lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
