/**
 * Who did what and when on the case and its tasks (R40), for supervisors and admins. Only the
 * action is shown, never the before/after values (they may hold unmasked personal data).
 */
import { useId } from 'react';
import { type AuditEntry, api, type TaskPage } from '../../api.ts';
import { ErrorNote, Loading } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad } from '../../useLoad.ts';

export function AuditTrail({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  const id = useId();
  const entries = useLoad(
    async (signal) => {
      const of = (type: string, entityId: string) =>
        api.get<AuditEntry[]>(`/api/audit?entityType=${type}&entityId=${encodeURIComponent(entityId)}&limit=200`, signal);
      const tasks = await api.get<TaskPage>(`/api/tasks?instanceId=${encodeURIComponent(instanceId)}&limit=200`, signal);
      const lists = await Promise.all([of('instance', instanceId), ...tasks.items.map((task) => of('task', task.id))]);
      return lists.flat().sort((a, b) => b.at - a.at || b.id.localeCompare(a.id));
    },
    [instanceId],
  );
  return (
    <section aria-labelledby={`${id}-title`} className="card" data-testid="audit">
      <h2 id={`${id}-title`}>{t('case.audit')}</h2>
      <ErrorNote error={entries.error} onRetry={entries.reload} />
      {entries.loading && !entries.data ? <Loading /> : null}
      {entries.data?.length === 0 ? <p className="muted">{t('case.audit.empty')}</p> : null}
      {entries.data?.length ? (
        <table className="audit-table">
          <thead>
            <tr>
              <th scope="col">{t('case.audit.at')}</th>
              <th scope="col">{t('case.audit.actor')}</th>
              <th scope="col">{t('case.audit.action')}</th>
              <th scope="col">{t('case.audit.entity')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.map((e) => (
              <tr key={e.id}>
                <td data-label={t('case.audit.at')}>{formatDateTime(e.at, lang)}</td>
                <td data-label={t('case.audit.actor')}>{e.actor}</td>
                <td data-label={t('case.audit.action')}>
                  <code>{e.action}</code>
                </td>
                <td data-label={t('case.audit.entity')}>{e.entityType}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
