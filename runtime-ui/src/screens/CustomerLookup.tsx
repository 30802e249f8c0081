/**
 * Finds a customer by phone, e-mail or name (R3) and hands back the profile with its service
 * history, as masked by the server for this user (R39).
 */
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/Status.tsx';
import { useI18n } from '../i18n.tsx';

export interface Customer {
  id: string;
  name: string;
  company: string | null;
  phone: string | null;
  email: string | null;
  region: string | null;
  highValue: boolean;
  specialNeeds: string | null;
}

export interface CustomerHistoryEntry {
  caseNumber: string | null;
  instanceId: string;
  startedAt: number;
  state: string;
  faultType: string | null;
  solution: string | null;
  satisfaction: number | null;
}

export type CustomerWithHistory = Customer & { history: CustomerHistoryEntry[] };

export function CustomerLookup({ onPick }: { onPick: (customer: CustomerWithHistory) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const search = async (e: FormEvent) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    setBusy(true);
    setError(undefined);
    try {
      setFound(await api.get<Customer[]>(`/api/customers?q=${encodeURIComponent(text)}`));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const pick = async (c: Customer) => {
    setError(undefined);
    try {
      onPick(await api.get<CustomerWithHistory>(`/api/customers/${encodeURIComponent(c.id)}`));
      setFound(undefined);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="card lookup" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('newCase.lookup')}</h2>
      <search>
        <form onSubmit={search} className="inline-form">
        <label htmlFor={`${id}-q`}>{t('newCase.lookupLabel')}</label>
        <div className="input-row">
          <input id={`${id}-q`} name="customer-q" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby={`${id}-hint`} />
          <button type="submit" className="btn-secondary" disabled={busy}>
            {t('newCase.search')}
          </button>
        </div>
        <p id={`${id}-hint`} className="muted small">
          {t('newCase.lookupHint')}
        </p>
        </form>
      </search>
      <ErrorNote error={error} />
      {found ? (
        found.length === 0 ? (
          <p className="muted" role="status">
            {t('newCase.noCustomer')}
          </p>
        ) : (
          <ul className="customer-results" aria-live="polite">
            {found.map((c) => (
              <li key={c.id} data-customer={c.id}>
                <span>
                  <strong>{c.name}</strong> {c.phone ?? ''} {c.company ? `· ${c.company}` : ''} {c.region ? `· ${c.region}` : ''}
                  {c.highValue ? <span className="tag">{t('newCase.highValue')}</span> : null}
                </span>
                <button type="button" className="btn-secondary" onClick={() => void pick(c)} aria-label={`${t('newCase.use')} ${c.name}`}>
                  {t('newCase.use')}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
