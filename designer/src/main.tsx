/**
 * Loopdesk designer, served at /designer: sign in, then draw processes or build forms (both stay
 * mounted, so switching tabs keeps the work). Language zh-CN by default, English on request.
 * `window.__designer` exposes the modeler and a few calls for tests and power users.
 */
import './styles.css';
import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { FormDesigner, type FormDesignerHandle } from './forms/FormDesigner.tsx';
import { ProcessDesigner, type ProcessDesignerHandle } from './process/ProcessDesigner.tsx';
import { Api, type User, describeError } from './shared/api.ts';
import { type Lang, translator } from './shared/i18n.ts';

type Tab = 'process' | 'form';

declare global {
  interface Window {
    __designer: {
      api: Api;
      process?: ProcessDesignerHandle;
      /** Opens a diagram as the file input does; resolves with bpmn-js's import warnings. */
      importXML?: (xml: string, label?: string) => Promise<{ warnings: string[] }>;
      forms?: FormDesignerHandle;
      setTab?: (tab: Tab) => void;
      setLang?: (lang: Lang) => void;
    };
  }
}

const api = new Api();
window.__designer = { api };

const LANG_KEY = 'loopdesk.lang';
function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    // no storage
  }
  return 'zh-CN';
}

const tabFromHash = (): Tab => (location.hash === '#/forms' ? 'form' : 'process');

function Login({ lang, onUser }: { lang: Lang; onUser(u: User): void }) {
  const t = translator(lang);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="ld-login"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          onUser(await api.login(username, password));
        } catch (err) {
          setError(describeError(err));
        }
      }}
    >
      <h1>{t('appTitle')}</h1>
      <p className="ld-muted">{t('signInHint')}</p>
      <label>
        {t('username')}
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
      </label>
      <label>
        {t('password')}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error ? (
        <p className="ld-error-text" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="ld-primary">
        {t('signIn')}
      </button>
    </form>
  );
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);
  const [tab, setTabState] = useState<Tab>(tabFromHash);
  const [formsVersion, setFormsVersion] = useState(0);
  const t = useMemo(() => translator(lang), [lang]);

  api.lang = lang;
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('appTitle');
  }, [lang, t]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // no storage
    }
  }, []);
  const setTab = useCallback((next: Tab) => {
    setTabState(next);
    history.replaceState(null, '', next === 'form' ? '#/forms' : '#/processes');
  }, []);
  useEffect(() => {
    window.__designer.setTab = setTab;
    window.__designer.setLang = setLang;
  }, [setTab, setLang]);

  useEffect(() => {
    if (!api.token) {
      setChecked(true);
      return;
    }
    api
      .me()
      .then(setUser)
      .catch(() => api.setToken(null))
      .finally(() => setChecked(true));
  }, []);

  const registerProcess = useCallback((h: ProcessDesignerHandle) => {
    window.__designer.process = h;
    window.__designer.importXML = (xml: string, label?: string) => h.importXML(xml, label);
  }, []);
  const registerForms = useCallback((h: FormDesignerHandle) => {
    window.__designer.forms = h;
  }, []);

  if (!checked) return <p className="ld-muted">{t('loading')}</p>;
  if (!user)
    return (
      <div className="ld-login-page">
        <LangSwitch lang={lang} setLang={setLang} />
        <Login lang={lang} onUser={setUser} />
      </div>
    );

  return (
    <div className="ld-app" data-ready="true">
      <header className="ld-header">
        <strong className="ld-brand">{t('appTitle')}</strong>
        <div className="ld-nav" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'process'} className={tab === 'process' ? 'ld-tab-on' : ''} data-testid="tab-process" onClick={() => setTab('process')}>
            {t('tabProcess')}
          </button>
          <button type="button" role="tab" aria-selected={tab === 'form'} className={tab === 'form' ? 'ld-tab-on' : ''} data-testid="tab-form" onClick={() => setTab('form')}>
            {t('tabForm')}
          </button>
        </div>
        <span className="ld-header-gap" />
        {!user.roles.includes('admin') ? <span className="ld-warning-text">{t('notAdmin')}</span> : null}
        <LangSwitch lang={lang} setLang={setLang} />
        <span className="ld-user">{user.displayName ?? user.username}</span>
        <button
          type="button"
          onClick={async () => {
            await api.logout();
            setUser(null);
          }}
        >
          {t('signOut')}
        </button>
      </header>
      <main className="ld-main">
        <div className="ld-pane" hidden={tab !== 'process'} data-testid="process-pane">
          <ProcessDesigner api={api} lang={lang} formsVersion={formsVersion} register={registerProcess} />
        </div>
        <div className="ld-pane" hidden={tab !== 'form'} data-testid="form-pane">
          <FormDesigner api={api} lang={lang} onFormsChanged={() => setFormsVersion((n) => n + 1)} register={registerForms} />
        </div>
      </main>
    </div>
  );
}

function LangSwitch({ lang, setLang }: { lang: Lang; setLang(l: Lang): void }) {
  return (
    <select className="ld-lang" aria-label="language / 语言" value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang">
      <option value="zh-CN">中文</option>
      <option value="en">English</option>
    </select>
  );
}

createRoot(document.getElementById('app') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
