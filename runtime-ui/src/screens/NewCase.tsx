/**
 * A new case (R1–R3, R32): the published intake form of the intake process, projected for this user
 * the way the server projects task forms (hidden, read-only and masked fields), a customer lookup
 * that fills the linked fields, live reminders, the server's 422 errors beside their fields, and the
 * case number — with a duplicate warning (R2) — once it is created.
 */
import { useMemo, useState } from 'react';
import { ApiError, api, type InstanceSummary } from '../api.ts';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { isoDate } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { INTAKE_PROCESS, loadStartForm } from '../intake.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { applyLookup, lookupsOf } from '../../../engine/forms/lookup.ts';
import { removeAt, setAt } from '../../../engine/forms/pointer.ts';
import { reminders } from '../../../engine/forms/reminders.ts';
import { schemaFor } from '../../../engine/forms/schema-for.ts';
import { type FormData, LoopdeskForm } from '../forms/LoopdeskForm.tsx';
import type { PointedText } from '../forms/pointer.ts';
import { CustomerLookup, type CustomerWithHistory } from './CustomerLookup.tsx';

/** The profile as the server's `customers` lookup source shapes it (engine/customers). */
function lookupRecord(c: CustomerWithHistory): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    customerName: c.name,
    company: c.company,
    phone: c.phone,
    email: c.email,
    region: c.region,
    specialNeeds: c.specialNeeds,
    highValue: c.highValue,
    serviceHistory: c.history.slice(0, 10).map((h) => ({
      caseNo: h.caseNumber ?? h.instanceId,
      date: isoDate(h.startedAt),
      faultType: h.faultType ?? '',
      solution: h.solution ?? '',
      ...(h.satisfaction === null ? {} : { satisfaction: h.satisfaction }),
    })),
  };
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Read-only fields the server fills (case number, duplicate flag) or the lookup fills (profile,
 * history) stay out of sight until they have a value: an empty box nobody may type in only confuses.
 */
function hideEmptyReadOnly(schema: Record<string, unknown>, uiSchema: Record<string, unknown>, data: FormData): Record<string, unknown> {
  const ui = { ...uiSchema };
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, field] of Object.entries(properties)) {
    if (field?.readOnly !== true || !isEmpty(data[name])) continue;
    const own = ui[name];
    ui[name] = { ...(own && typeof own === 'object' ? own : {}), 'ui:widget': 'hidden' };
  }
  return ui;
}

/**
 * What the server takes from this user: read-only fields are the server's to fill (the lookup fills
 * the profile and history again from the customer ID); sending them back would be refused.
 */
function writableOnly(schema: Record<string, unknown>, data: FormData): FormData {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(data).filter(([name]) => properties[name]?.readOnly !== true));
}

export default function NewCase() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const intake = useLoad((signal) => loadStartForm(INTAKE_PROCESS, signal), []);
  const [data, setData] = useState<FormData>({});
  const [generation, setGeneration] = useState(0);
  const [customer, setCustomer] = useState<CustomerWithHistory>();
  const [serverErrors, setServerErrors] = useState<PointedText[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<InstanceSummary>();

  const definition = intake.data?.definition;
  const projected = useMemo(
    () => (definition && user ? schemaFor(definition, { roles: user.roles, permissions: user.permissions ?? [] }, lang) : undefined),
    [definition, user, lang],
  );
  const uiSchema = useMemo(() => (projected ? hideEmptyReadOnly(projected.schema, projected.uiSchema, data) : undefined), [projected, data]);
  const notes = useMemo(() => (definition ? reminders(definition, data, lang) : []), [definition, data, lang]);
  const lookupField = useMemo(() => (definition ? lookupsOf(definition).find((l) => l.source === 'customers') : undefined), [definition]);

  const pickCustomer = (c: CustomerWithHistory) => {
    if (!definition || !lookupField) return;
    const withKey = structuredClone(data);
    setAt(withKey, lookupField.by, c.id);
    setCustomer(c);
    setData(applyLookup(definition, withKey, 'customers', lookupRecord(c), lookupField.by) as FormData);
  };

  const clearCustomer = () => {
    if (!definition || !lookupField) return;
    const cleared = applyLookup(definition, data, 'customers', null, lookupField.by) as FormData;
    removeAt(cleared, lookupField.by);
    setCustomer(undefined);
    setData(cleared);
  };

  const submit = async (formData: FormData) => {
    if (!intake.data || !projected) return;
    setBusy(true);
    setFailure(undefined);
    setServerErrors([]);
    try {
      const result = await api.post<InstanceSummary>('/api/instances', { processKey: intake.data.processKey, data: writableOnly(projected.schema, formData) });
      setCreated(result);
      setData({});
      setCustomer(undefined);
      setGeneration((g) => g + 1);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.errors.length > 0) {
        setServerErrors(err.errors.map((e) => ({ path: e.path ?? '', message: e.message })));
        setFailure(new Error(t('newCase.invalid')));
      } else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-case-title" className="new-case">
      <h1 id="new-case-title">{t('newCase.title')}</h1>
      {created ? (
        <div className="card created" role="status" data-testid="created">
          <p className="big">{t('newCase.created', { number: created.caseNumber ?? created.id })}</p>
          {created.duplicateOf ? (
            <p className="note note-warn" role="alert" data-testid="duplicate">
              {t('newCase.duplicate')}{' '}
              <Link to={`/cases/${encodeURIComponent(created.duplicateOf)}`}>{created.duplicateOf}</Link>
            </p>
          ) : null}
          <p className="button-row">
            <Link className="btn-primary" to={created.caseNumber ? `/cases/${encodeURIComponent(created.caseNumber)}` : `/instances/${created.id}`}>
              {t('newCase.openCase')}
            </Link>
            <button type="button" className="btn-secondary" onClick={() => setCreated(undefined)}>
              {t('newCase.another')}
            </button>
          </p>
        </div>
      ) : null}
      <ErrorNote error={intake.error} onRetry={intake.reload} />
      {intake.loading && !intake.data ? <Loading /> : null}
      {projected && !created ? (
        <div className="new-case-grid">
          <aside className="new-case-side">
            {lookupField ? <CustomerLookup onPick={pickCustomer} /> : null}
            {customer ? (
              <p className="note" data-testid="picked-customer">
                {t('newCase.selected', { name: customer.name })}{' '}
                <button type="button" className="btn-link" onClick={clearCustomer}>
                  {t('newCase.clearCustomer')}
                </button>
              </p>
            ) : null}
          </aside>
          <div className="card new-case-form">
            <ErrorNote error={failure} />
            <LoopdeskForm
              key={generation}
              schema={projected.schema}
              uiSchema={uiSchema}
              formData={data}
              lang={lang}
              reminders={notes}
              serverErrors={serverErrors}
              onChange={setData}
              onSubmit={(d) => void submit(d)}
            />
            {busy ? (
              <p className="muted" role="status">
                {t('newCase.submitting')}
              </p>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
