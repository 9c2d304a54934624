/**
 * pushgate web console: sign-in, then five pages (hash routes) built on the public /v1 API.
 * Preact (3 kB of runtime, maintained, no build-time magic) keeps the pages declarative without a
 * framework CDN; esbuild bundles it into one file the gateway serves itself.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, signIn, signOut, useSession, type Session } from './api.js';
import { Alert } from './components.js';
import { messageOf, useRoute } from './hooks.js';
import { Devices } from './pages/devices.js';
import { Failures } from './pages/failures.js';
import { Lanes } from './pages/lanes.js';
import { MessagePage } from './pages/message.js';
import { Messages } from './pages/messages.js';
import { SendTest } from './pages/send.js';

const PAGES = [
  { path: '/lanes', label: 'Lanes' },
  { path: '/messages', label: 'Messages' },
  { path: '/failures', label: 'Failures' },
  { path: '/devices', label: 'Devices' },
  { path: '/send', label: 'Send a test' },
];

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useSession(session ?? null, () => setSession(null));
  useEffect(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
}

function SignIn({ onSignedIn }: { onSignedIn(s: Session): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin">
      <h1>pushgate console</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const s = await signIn(key);
            setKey('');
            onSignedIn(s);
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Server key of your tenant
          <input type="password" name="key" value={key} onInput={(e) => setKey(e.currentTarget.value)} autoComplete="current-password" required autoFocus />
        </label>
        <p class="hint">The key is exchanged for a session cookie and not kept in the browser. Client keys (shipped in apps) cannot sign in.</p>
        <Alert error={error} />
        <button type="submit" class="primary" disabled={busy || !key}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut(): void }) {
  const route = useRoute();
  const section = `/${route.split('/')[1] ?? ''}`;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">pushgate</span>
        <nav aria-label="Console pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#${p.path}`} aria-current={section === p.path ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span>
            tenant <strong data-testid="tenant">{session.tenant}</strong>
          </span>
          <button type="button" onClick={() => signOut().finally(onSignedOut)}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: string }) {
  const [, section, id] = route.split('/');
  switch (section) {
    case 'messages':
      return id ? <MessagePage id={decodeURIComponent(id)} key={id} /> : <Messages />;
    case 'failures':
      return <Failures />;
    case 'devices':
      return <Devices />;
    case 'send':
      return <SendTest />;
    default:
      return <Lanes />;
  }
}

render(<App />, document.getElementById('app')!);
