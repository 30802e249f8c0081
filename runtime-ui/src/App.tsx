/**
 * Providers and the routes. Who is not logged in sees the login screen whatever the URL, and lands
 * on that URL after logging in.
 */
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/Status.tsx';
import { I18nProvider, useI18n } from './i18n.tsx';
import { match, navigate, useLocation } from './router.tsx';
import { CaseView } from './screens/CaseView.tsx';
import { Inbox } from './screens/Inbox.tsx';
import { ArticleView, KnowledgeSearch } from './screens/Knowledge.tsx';
import { Login } from './screens/Login.tsx';
import { Notifications } from './screens/Notifications.tsx';
import { SessionProvider, useSession } from './session.tsx';

// The two screens with forms bring @rjsf, ajv and feelin: not part of the first load. A deep link
// to one starts fetching its code while the session is checked; otherwise it is fetched once the
// browser is idle after login, so opening the first task does not wait for it.
const loadNewCase = () => import('./screens/NewCase.tsx');
const loadTaskScreen = () => import('./screens/TaskScreen.tsx');
const NewCase = lazy(loadNewCase);
// Supervisors' dashboard: ECharts (and bpmn-js for the heatmap) in chunks of their own.
const Dashboard = lazy(() => import('./dashboard/Dashboard.tsx'));
const TaskScreen = lazy(loadTaskScreen);
// The practice sandbox (R36) renders forms too: its own chunk.
const loadPractice = () => import('./practice/Practice.tsx');
const PracticeList = lazy(() => loadPractice().then((m) => ({ default: m.PracticeList })));
const ExamScreen = lazy(() => loadPractice().then((m) => ({ default: m.ExamScreen })));
const ExamResults = lazy(() => loadPractice().then((m) => ({ default: m.ExamResults })));
if (window.location.pathname.startsWith('/tasks/')) void loadTaskScreen();
else if (window.location.pathname === '/cases/new') void loadNewCase();

function usePrefetchForms(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const prefetch = () => void loadTaskScreen().then(loadNewCase);
    const id = window.requestIdleCallback(prefetch, { timeout: 3000 });
    return () => window.cancelIdleCallback(id);
  }, [enabled]);
}

function NotFound() {
  const { t } = useI18n();
  return <p className="note">{t('case.notFound')}</p>;
}

/** Path patterns and their screens, first match wins. */
const ROUTES: [string, (p: Record<string, string>, q: URLSearchParams) => ReactNode][] = [
  ['/', () => <Redirect to="/inbox" />],
  ['/login', () => <Redirect to="/inbox" />],
  ['/inbox', () => <Inbox />],
  ['/cases/new', () => <NewCase />],
  ['/cases/:number', (p) => <CaseView caseNumber={p.number} />],
  ['/instances/:id', (p) => <CaseView instanceId={p.id} />],
  ['/tasks/:id', (p) => <TaskScreen taskId={p.id!} />],
  ['/knowledge', (_, q) => <KnowledgeSearch caseId={q.get('case') ?? undefined} />],
  ['/knowledge/:id', (p, q) => <ArticleView articleId={p.id!} caseId={q.get('case') ?? undefined} />],
  ['/notifications', () => <Notifications />],
  ['/dashboard', () => <Dashboard />],
  ['/practice', () => <PracticeList />],
  ['/practice/:key', (p) => <ExamScreen examKey={p.key!} />],
  ['/practice/:key/results', (p) => <ExamResults examKey={p.key!} />],
];

function Routes() {
  const { path, params } = useLocation();
  for (const [pattern, render] of ROUTES) {
    const found = match(pattern, path);
    if (found) return <>{render(found, params)}</>;
  }
  return <NotFound />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Gate({ children }: { children: ReactNode }) {
  const { user } = useSession();
  usePrefetchForms(Boolean(user));
  if (user === undefined) return <Loading />;
  if (user === null) return <Login />;
  return <>{children}</>;
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Layout>
          <Gate>
            <Suspense fallback={<Loading />}>
              <Routes />
            </Suspense>
          </Gate>
        </Layout>
      </SessionProvider>
    </I18nProvider>
  );
}
