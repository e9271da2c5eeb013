/** The console's shell: the session, the page chosen by the URL, the header with navigation and sign-out. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, setSession } from './api.js';
import { AgentPage } from './agent.js';
import { Logo } from './logo.js';
import { SignIn } from './sign-in.js';
import { SupervisorPage } from './supervisor.js';
import type { SessionInfo } from './types.js';

type Page = 'agent' | 'supervisor';

const BASE = '/console/';
const pageOf = (path: string): Page => (path.replace(/\/+$/, '') === '/console/supervisor' ? 'supervisor' : 'agent');

export function App() {
  const [session, setSessionState] = useState<SessionInfo | null | undefined>(undefined);
  const [page, setPage] = useState<Page>(pageOf(location.pathname));
  const [notice, setNotice] = useState<string | null>(null);
  // Our own sign-out ends the session's live stream too, and its 'signed-out' event (or the 401 after it)
  // may arrive after the sign-out's answer: that is not a session that ended on its own.
  const signingOut = useRef(false);

  const signedIn = useCallback((info: SessionInfo | null, message: string | null = null) => {
    if (info !== null) signingOut.current = false;
    setSession(info);
    setSessionState(info);
    setNotice(message);
  }, []);

  useEffect(() => {
    api.session().then(
      (info) => signedIn(info),
      (error: unknown) => signedIn(null, error instanceof ApiError && error.status !== 401 ? error.message : null),
    );
    const onPop = () => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, [signedIn]);

  const sessionEnded = useCallback(() => {
    if (!signingOut.current) signedIn(null, 'Your session ended. Sign in again.');
  }, [signedIn]);

  const navigate = (target: Page) => (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    history.pushState(null, '', target === 'agent' ? BASE : `${BASE}supervisor${location.search}`);
    setPage(target);
  };

  const signOut = async () => {
    signingOut.current = true;
    try {
      await api.signOut();
    } catch {
      // The session may be gone already; signing out locally is what matters.
    }
    signedIn(null, 'You signed out.');
  };

  if (session === undefined) return <div class="loading" aria-busy="true">Loading…</div>;
  if (session === null) return <SignIn notice={notice} onSignedIn={(info) => signedIn(info)} />;

  const name = [session.user.firstName, session.user.lastName].filter(Boolean).join(' ') || session.user.username;
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <Logo />
          <span>outdial</span>
          <span class="brand-sub">{session.instance.alias ?? session.instance.id}</span>
        </div>
        <nav aria-label="Console pages">
          <a href={BASE} aria-current={page === 'agent' ? 'page' : undefined} onClick={navigate('agent')}>
            Agent
          </a>
          <a href={`${BASE}supervisor`} aria-current={page === 'supervisor' ? 'page' : undefined} onClick={navigate('supervisor')}>
            Supervisor
          </a>
        </nav>
        <div class="who">
          <span class="who-name" title={session.user.username}>
            {name}
          </span>
          <button type="button" class="button ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'agent' ? <AgentPage onSignedOut={sessionEnded} /> : <SupervisorPage onSignedOut={sessionEnded} />}
      </main>
    </div>
  );
}
