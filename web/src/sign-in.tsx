/** The sign-in form: the instance (from ?instance= or `demo`), the Connect user's username and password. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { Logo } from './logo.js';
import type { SessionInfo } from './types.js';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (session: SessionInfo) => void }) {
  const [instance, setInstance] = useState(() => new URLSearchParams(location.search).get('instance') ?? 'demo');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const usernameField = useRef<HTMLInputElement>(null);

  useEffect(() => usernameField.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(instance.trim(), username, password));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'Sign-in failed.');
      setPassword('');
      usernameField.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in-page">
      <form class="card sign-in" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <div class="brand brand-large">
          <Logo />
          <span>outdial</span>
        </div>
        <h1 id="sign-in-title">Sign in to the agent console</h1>
        {notice !== null && error === null && <p class="notice">{notice}</p>}
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label for="instance">Instance</label>
        <input id="instance" name="instance" value={instance} onInput={(e) => setInstance(e.currentTarget.value)} required autoComplete="organization" />
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          ref={usernameField}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          required
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
          autoComplete="current-password"
        />
        <button type="submit" class="button primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
