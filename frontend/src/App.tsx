import { Component, lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Link, matchPath, navigate, useLocation, usePageTitle } from './router';
import { SessionProvider, useSession } from './session';
import { Loading, RequireAuth } from './ui';
import { AcceptInvitation, CancelEmailChange, ForgotPassword, ResetPassword, SignIn, SignUp, VerifyEmail } from './pages/auth';
import { Catalog, CoursePage, LessonLink } from './pages/catalog';
import { Dashboard, EnrolmentPage, LessonPage } from './pages/learn';

const QuizPage = lazy(() => import('./pages/quiz').then((m) => ({ default: m.QuizPage })));
const QuizPlayer = lazy(() => import('./pages/quiz').then((m) => ({ default: m.QuizPlayer })));
const QuizResult = lazy(() => import('./pages/quizResult').then((m) => ({ default: m.QuizResult })));
const Account = lazy(() => import('./pages/account').then((m) => ({ default: m.Account })));
// Supervisors (no account) and admins only: their own chunks, never downloaded by learners.
const AttestPage = lazy(() => import('./pages/attest/page').then((m) => ({ default: m.AttestPage })));
const AdminPage = lazy(() => import('./pages/admin/index').then((m) => ({ default: m.AdminPage })));
const ExternshipPage = lazy(() => import('./pages/externship/ExternshipPage').then((m) => ({ default: m.ExternshipPage })));
const CertificatesPage = lazy(() => import('./pages/certificates/CertificatesPage').then((m) => ({ default: m.CertificatesPage })));
// The public verification page (an employer's QR scan, often on a phone): its own chunk.
const VerifyPage = lazy(() => import('./pages/certificates/VerifyPage').then((m) => ({ default: m.VerifyPage })));
const VerifyFormPage = lazy(() => import('./pages/certificates/VerifyPage').then((m) => ({ default: m.VerifyFormPage })));

type Params = Record<string, string>;
interface Route {
  path: string;
  render: (p: Params) => ReactNode;
  auth?: boolean;
}

const ROUTES: Route[] = [
  { path: '/', render: () => <Home /> },
  { path: '/courses', render: () => <Catalog /> },
  { path: '/courses/:slug', render: (p) => <CoursePage slug={p.slug!} /> },
  { path: '/courses/:slug/lessons/:lesson', render: (p) => <LessonLink slug={p.slug!} lesson={p.lesson!} /> },
  { path: '/sign-up', render: () => <SignUp /> },
  { path: '/sign-in', render: () => <SignIn /> },
  { path: '/verify-email', render: () => <VerifyEmail /> },
  { path: '/cancel-email-change', render: () => <CancelEmailChange /> },
  { path: '/forgot-password', render: () => <ForgotPassword /> },
  { path: '/reset-password', render: () => <ResetPassword /> },
  { path: '/invitation', render: () => <AcceptInvitation /> },
  { path: '/dashboard', auth: true, render: () => <Dashboard /> },
  { path: '/learn/:id', auth: true, render: (p) => <EnrolmentPage id={p.id!} /> },
  { path: '/learn/:id/lessons/:lesson', auth: true, render: (p) => <LessonPage id={p.id!} lesson={p.lesson!} /> },
  { path: '/learn/:id/quizzes/:quiz', auth: true, render: (p) => <QuizPage id={p.id!} quiz={p.quiz!} /> },
  { path: '/learn/:id/externship', auth: true, render: (p) => <ExternshipPage id={p.id!} /> },
  { path: '/attempts/:id', auth: true, render: (p) => <QuizPlayer attemptId={p.id!} /> },
  { path: '/attempts/:id/result', auth: true, render: (p) => <QuizResult attemptId={p.id!} /> },
  { path: '/account', auth: true, render: () => <Account /> },
  { path: '/certificates', auth: true, render: () => <CertificatesPage /> },
  { path: '/admin', auth: true, render: () => <AdminPage section="home" /> },
  { path: '/admin/externship/sites', auth: true, render: () => <AdminPage section="sites" /> },
  { path: '/admin/externship/placements', auth: true, render: () => <AdminPage section="placements" /> },
  { path: '/admin/externship/review', auth: true, render: () => <AdminPage section="review" /> },
  { path: '/admin/users', auth: true, render: () => <AdminPage section="users" /> },
  { path: '/admin/cohorts', auth: true, render: () => <AdminPage section="cohorts" /> },
  { path: '/admin/cohorts/:id', auth: true, render: (p) => <AdminPage section="cohort" params={p} /> },
  { path: '/admin/cohorts/:id/:tab', auth: true, render: (p) => <AdminPage section="cohort" params={p} /> },
  { path: '/admin/item-statistics', auth: true, render: () => <AdminPage section="itemStats" /> },
  { path: '/admin/certificates', auth: true, render: () => <AdminPage section="certificates" /> },
  { path: '/admin/audit', auth: true, render: () => <AdminPage section="audit" /> },
];

/** Pages for people without an account (a supervisor's emailed link, an employer checking a
 * certificate): no session is restored (nothing is sent but the page's own request) and no
 * navigation that needs an account shows. */
const PUBLIC_PAGES: { path: string; render: (p: Params) => ReactNode }[] = [
  { path: '/attest', render: () => <AttestPage /> },
  { path: '/verify', render: () => <VerifyFormPage /> },
  { path: '/verify/:code', render: (p) => <VerifyPage code={p.code!} /> },
];

/** The public page at `pathname`, if it is one. */
function publicPageAt(pathname: string): ReactNode | null {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const r of PUBLIC_PAGES) {
    const params = matchPath(r.path, trimmed);
    if (params) return r.render(params);
  }
  return null;
}

function Home() {
  const { user } = useSession();
  useEffect(() => {
    if (user) navigate('/dashboard', { replace: true });
  }, [user]);
  if (user === undefined) return <Loading />;
  return <Catalog intro />;
}

function NotFound() {
  usePageTitle('Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link href="/courses">Browse the course catalog</Link> or go to <Link href="/dashboard">your dashboard</Link>.
      </p>
    </section>
  );
}

/** A page that throws while rendering (or a chunk that fails to load after a release) shows a
 * way forward instead of a blank page. */
class PageBoundary extends Component<{ children: ReactNode; resetKey: string }, { failed: boolean; key: string }> {
  override state = { failed: false, key: this.props.resetKey };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { failed: boolean; key: string }) {
    return props.resetKey !== state.key ? { failed: false, key: props.resetKey } : null;
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section>
        <h1>This page could not be shown</h1>
        <p>Something went wrong while showing this page. Reloading usually fixes it; your progress is saved.</p>
        <p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>{' '}
          <Link href="/dashboard">Go to my learning</Link>
        </p>
      </section>
    );
  }
}

function Header() {
  const { user, signOut } = useSession();
  const { pathname } = useLocation();
  const current = (p: string) => (pathname === p || pathname.startsWith(`${p}/`) ? 'page' : undefined);
  return (
    <header className="site-header">
      <div className="wrap header-row">
        <Link href={user ? '/dashboard' : '/'} className="brand">
          <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28" focusable="false">
            <rect width="32" height="32" rx="6" fill="currentColor" />
            <path d="M12 6h8v2h-1v11a5 5 0 0 1-6 0V8h-1z" fill="#fff" />
          </svg>
          Benchside
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            <li>
              <Link href="/courses" aria-current={current('/courses')}>
                Courses
              </Link>
            </li>
            {user ? (
              <>
                <li>
                  <Link href="/dashboard" aria-current={current('/dashboard')}>
                    My learning
                  </Link>
                </li>
                <li>
                  <Link href="/certificates" aria-current={current('/certificates')}>
                    Certificates
                  </Link>
                </li>
                {(user.role === 'admin' || user.role === 'staff') && (
                  <li>
                    <Link href="/admin" aria-current={current('/admin')}>
                      Admin
                    </Link>
                  </li>
                )}
                <li>
                  <Link href="/account" aria-current={current('/account')}>
                    Account
                  </Link>
                </li>
                <li>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => void signOut().finally(() => navigate('/sign-in'))}
                  >
                    Sign out
                  </button>
                </li>
              </>
            ) : (
              user === null && (
                <>
                  <li>
                    <Link href="/sign-in" aria-current={current('/sign-in')}>
                      Sign in
                    </Link>
                  </li>
                  <li>
                    <Link href="/sign-up" aria-current={current('/sign-up')}>
                      Sign up
                    </Link>
                  </li>
                </>
              )
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}

/** Focuses the new page's heading after client-side navigation, so assistive technology
 * announces it and keyboard users start at the top of the content. */
function useFocusHeadingOnNavigation(pathname: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // Pages that load data render their heading a little later: wait for it (up to 3 s),
    // unless the learner has already moved focus somewhere.
    let tries = 0;
    const atStart = document.activeElement;
    const t = window.setInterval(() => {
      tries += 1;
      const active = document.activeElement;
      const free = !active || active === document.body || active.id === 'main' || active === atStart;
      // The first heading that is shown: while a lazy page loads, Suspense keeps the previous
      // page in the document, hidden, beside the fallback.
      const h1 = [...document.querySelectorAll<HTMLElement>('main h1')].find((h) => !h.closest('.loading') && h.getClientRects().length > 0);
      if (h1 && free) {
        h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
      }
      if ((h1 && free) || !free || tries > 60) window.clearInterval(t);
    }, 50);
    return () => window.clearInterval(t);
  }, [pathname]);
}

function Router() {
  const { pathname, href } = useLocation();
  useFocusHeadingOnNavigation(pathname);

  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const r of ROUTES) {
    const params = matchPath(r.path, trimmed);
    if (params) {
      const page = <Suspense fallback={<Loading />}>{r.render(params)}</Suspense>;
      return r.auth ? <RequireAuth key={href}>{page}</RequireAuth> : page;
    }
  }
  return <NotFound />;
}

function Boundary() {
  const { pathname } = useLocation();
  return (
    <PageBoundary resetKey={pathname}>
      <Router />
    </PageBoundary>
  );
}

/** The header's logo and name, and the footer, for the public shell below. */
function Brand() {
  return (
    <>
      <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28" focusable="false">
        <rect width="32" height="32" rx="6" fill="currentColor" />
        <path d="M12 6h8v2h-1v11a5 5 0 0 1-6 0V8h-1z" fill="#fff" />
      </svg>
      Benchside
    </>
  );
}

function Footer() {
  return (
    <footer className="site-footer">
      <div className="wrap">
        <p>Benchside · self-paced training for phlebotomy and medical laboratory careers</p>
      </div>
    </footer>
  );
}

function PublicShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  useFocusHeadingOnNavigation(pathname);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="wrap header-row">
          <span className="brand">
            <Brand />
          </span>
        </div>
      </header>
      <main id="main" className="wrap" tabIndex={-1}>
        <PageBoundary resetKey={pathname}>
          <Suspense fallback={<Loading />}>{children}</Suspense>
        </PageBoundary>
      </main>
      <Footer />
    </>
  );
}

export function App() {
  const { pathname } = useLocation();
  const publicPage = publicPageAt(pathname);
  if (publicPage) return <PublicShell>{publicPage}</PublicShell>;
  return (
    <SessionProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="wrap" tabIndex={-1}>
        <Boundary />
      </main>
      <footer className="site-footer">
        <div className="wrap">
          <p>Benchside · self-paced training for phlebotomy and medical laboratory careers</p>
        </div>
      </footer>
    </SessionProvider>
  );
}
