/**
 * Where the case is stuck (R35): its open incidents, with a retry for supervisors once the cause
 * is fixed. A retry that fails again shows the new incident in place of the old one.
 */
import { useState } from 'react';
import { api, type Instance } from '../../api.ts';
import { ErrorNote } from '../../components/Status.tsx';
import { useI18n } from '../../i18n.tsx';
import { formatDateTime } from '../../format.ts';

type Incident = NonNullable<Instance['incidents']>[number];

export function Incidents({ instanceId, incidents, canRetry, onChanged }: { instanceId: string; incidents: Incident[]; canRetry: boolean; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (incidents.length === 0) return null;
  const retry = async (incidentId: string) => {
    setBusy(incidentId);
    setError(null);
    try {
      await api.post(`/api/instances/${encodeURIComponent(instanceId)}/incidents/${encodeURIComponent(incidentId)}/retry`, {});
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="case-incidents" className="card note-error" data-testid="case-incidents">
      <h2 id="case-incidents">{t('case.incidents')}</h2>
      <ErrorNote error={error} />
      <ul>
        {incidents.map((i) => (
          <li key={i.id ?? i.createdAt} data-testid="incident" data-code={i.code}>
            <strong>{i.nodeId ?? '—'}</strong> · <code>{i.code}</code> · {i.message} · {formatDateTime(i.createdAt, lang)}{' '}
            {canRetry ? (
              <button type="button" className="btn-secondary" disabled={busy !== null} onClick={() => void retry(i.id ?? '')} data-testid="incident-retry">
                {t('case.retry')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
