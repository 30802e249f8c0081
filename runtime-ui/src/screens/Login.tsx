/**
 * Login with user name and password, or through the company's identity provider (OIDC) when the
 * server has one configured; the token lives in this tab's sessionStorage.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { errorText } from '../components/Status.tsx';
import { useI18n } from '../i18n.tsx';
import { useSession } from '../session.tsx';

/** Why an identity-provider sign-in came back refused (engine/auth/oidc.ts OidcFailure). */
const OIDC_ERRORS = { expired: 'login.oidc.expired', denied: 'login.oidc.denied', 'unknown-user': 'login.oidc.unknown-user', failed: 'login.oidc.failed' } as const;

export function Login() {
  const { t } = useI18n();
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const [oidc, setOidc] = useState(false);
  useEffect(() => {
    api.get<{ enabled: boolean }>('/api/auth/oidc').then((r) => setOidc(r.enabled), () => setOidc(false));
  }, []);
  // The identity provider's callback sends the browser back here with ?oidcError= when it did not work.
  const oidcError = new URLSearchParams(location.search).get('oidcError');
  const oidcErrorKey = oidcError && oidcError in OIDC_ERRORS ? OIDC_ERRORS[oidcError as keyof typeof OIDC_ERRORS] : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <section className="card login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      {oidcErrorKey ? (
        <p className="note note-error" role="alert" data-testid="oidc-error">
          {t(oidcErrorKey)}
        </p>
      ) : null}
      {oidc ? (
        <>
          {/* A full page load: the provider's pages are not part of this app. */}
          <a className="btn-primary" href="/api/auth/oidc/start" data-testid="oidc-login">
            {t('login.oidc')}
          </a>
          <p className="muted">{t('login.or')}</p>
        </>
      ) : null}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="login-username">{t('login.username')}</label>
          <input
            id="login-username"
            ref={first}
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error ? (
          <p className="note note-error" role="alert">
            {t('login.failed', { message: error })}
          </p>
        ) : null}
        <button type="submit" className="btn-primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
