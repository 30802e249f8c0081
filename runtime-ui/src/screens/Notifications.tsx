/** The user's in-app notifications (SLA warnings, escalations, reminders), newest first. */
import { useId, useState } from 'react';
import { api, type Notification, type NotificationPage } from '../api.ts';
import { notificationsChanged } from '../components/Layout.tsx';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { useLoad } from '../useLoad.ts';

export function Notifications() {
  const { t, lang } = useI18n();
  const id = useId();
  const page = useLoad((signal) => api.get<NotificationPage>('/api/notifications?limit=100', signal), []);
  const [error, setError] = useState<unknown>();

  const read = async (n?: Notification) => {
    setError(undefined);
    try {
      if (n) await api.post(`/api/notifications/${encodeURIComponent(n.id)}/read`);
      else await api.post('/api/notifications/read-all');
      page.reload();
      notificationsChanged();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="notifications">
      <div className="title-row">
        <h1 id={`${id}-title`}>{t('notifications.title')}</h1>
        <button type="button" className="btn-secondary" disabled={!page.data?.unreadCount} onClick={() => void read()}>
          {t('notifications.readAll')}
        </button>
      </div>
      <ErrorNote error={error ?? page.error} onRetry={page.reload} />
      {page.loading && !page.data ? <Loading /> : null}
      {page.data?.items.length === 0 ? <p className="note">{t('notifications.empty')}</p> : null}
      <ul className="notification-list">
        {page.data?.items.map((n) => (
          <li key={n.id} className={n.readAt ? 'read' : 'unread'} data-notification={n.id}>
            <div>
              <strong>{n.subject}</strong>
              {!n.readAt ? <span className="tag tag-live">{t('notifications.unread')}</span> : null}
              <p className="muted small">{formatDateTime(n.createdAt, lang)}</p>
              <p className="pre">{n.body}</p>
              {n.businessKey ? (
                <Link to={`/cases/${encodeURIComponent(n.businessKey)}`}>{t('notifications.openCase')}</Link>
              ) : n.instanceId ? (
                <Link to={`/instances/${encodeURIComponent(n.instanceId)}`}>{t('notifications.openCase')}</Link>
              ) : null}
            </div>
            {!n.readAt ? (
              <button type="button" className="btn-link" onClick={() => void read(n)}>
                {t('notifications.markRead')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
