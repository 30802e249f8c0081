/**
 * The frame around every screen: the app name, role-aware navigation (R35: agents work cases,
 * supervisors also see every queue and the audit trail, admins also get the API docs), the unread
 * notification count, the language switch and logout.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { api, type NotificationPage } from '../api.ts';
import { LANGS, type Lang, useI18n } from '../i18n.tsx';
import { Link, useLocation } from '../router.tsx';
import { hasRole, useSession } from '../session.tsx';

const NOTIFICATIONS_CHANGED = 'loopdesk:notifications';

/** Tells the badge to count again (after marking notifications read). */
export function notificationsChanged(): void {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}

/** Unread notifications: counted on every navigation, every 30 s, and when told. */
function useUnreadCount(enabled: boolean, path: string): number {
  const [count, setCount] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `path` only says "count again"
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const read = () =>
      api
        .get<NotificationPage>('/api/notifications?unread=true&limit=1')
        .then((page) => {
          if (live) setCount(page.unreadCount);
        })
        .catch(() => undefined);
    read();
    const timer = window.setInterval(read, 30_000);
    window.addEventListener(NOTIFICATIONS_CHANGED, read);
    return () => {
      live = false;
      window.clearInterval(timer);
      window.removeEventListener(NOTIFICATIONS_CHANGED, read);
    };
  }, [enabled, path]);
  return count;
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t('language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t('language')} data-testid="lang">
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l === 'zh-CN' ? '中文' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, logout } = useSession();
  const { path } = useLocation();
  const unread = useUnreadCount(Boolean(user), path);
  const current = (prefix: string) => (path === prefix || path.startsWith(`${prefix}/`) ? 'page' : undefined);
  const roles = user?.roles.map((r) => (r === 'agent' || r === 'supervisor' || r === 'admin' ? t(`role.${r}`) : r)).join(' · ');

  return (
    <>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="app-header">
        <Link to="/inbox" className="brand">
          {t('appName')}
        </Link>
        {user ? (
          <nav aria-label={t('nav.main')} className="main-nav">
            <ul>
              <li>
                <Link to="/inbox" aria-current={current('/inbox')}>
                  {t('nav.inbox')}
                </Link>
              </li>
              <li>
                <Link to="/cases/new" aria-current={path === '/cases/new' ? 'page' : undefined}>
                  {t('nav.newCase')}
                </Link>
              </li>
              <li>
                <Link to="/knowledge" aria-current={current('/knowledge')}>
                  {t('nav.knowledge')}
                </Link>
              </li>
              <li>
                <Link to="/notifications" aria-current={current('/notifications')} data-testid="nav-notifications">
                  {t('nav.notifications')}
                  {unread > 0 ? (
                    <span className="badge" data-testid="unread-badge">
                      <span aria-hidden="true">{unread}</span>
                      <span className="visually-hidden">{t('unreadBadge', { n: unread })}</span>
                    </span>
                  ) : null}
                </Link>
              </li>
              <li>
                <Link to="/practice" aria-current={current('/practice')} data-testid="nav-practice">
                  {t('nav.practice')}
                </Link>
              </li>
              {hasRole(user, 'supervisor', 'admin') ? (
                <li>
                  <Link to="/dashboard" aria-current={current('/dashboard')} data-testid="nav-dashboard">
                    {t('nav.dashboard')}
                  </Link>
                </li>
              ) : null}
              {hasRole(user, 'admin') ? (
                <li>
                  <a href="/api/docs">{t('nav.apiDocs')}</a>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
        <div className="header-tools">
          <LanguageSwitch />
          {user ? (
            <>
              <span className="who" data-testid="who">
                {user.displayName ?? user.username}
                <span className="muted"> · {roles}</span>
              </span>
              <button type="button" className="btn-secondary" onClick={() => void logout()}>
                {t('nav.logout')}
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
