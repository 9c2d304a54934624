/**
 * Send a test: to a user id or to a raw token (POST /v1/messages), then follow the message live
 * (GET /v1/messages/{id} every second) until it is done and a little after, for receipts.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Alert, CountBadges, StateBadge } from '../components.js';
import { errorInWords } from '../format.js';
import { messageOf, usePoll } from '../hooks.js';
import type { Lane, MessageStatus } from '../types.js';

interface Accepted {
  id: string;
  targets: number;
  skipped?: Array<{ reason: string; userId?: string; provider?: string }>;
}

export function SendTest() {
  const lanes = usePoll(() => api<{ lanes: Lane[] }>('GET', '/v1/lanes'), 0, 'providers');
  const providers = lanes.data?.lanes.map((l) => l.provider) ?? [];
  const [form, setForm] = useState({ to: 'user', userId: '', provider: '', token: '', apnsEnvironment: 'sandbox', title: 'Test from the pushgate console', body: 'If you read this, the channel works.' });
  const [sent, setSent] = useState<Accepted | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const provider = form.provider || providers[0] || '';
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    const to =
      form.to === 'user'
        ? { userIds: [form.userId.trim()] }
        : { tokens: [{ provider, token: form.token.trim(), ...(provider === 'apns' ? { apns: { environment: form.apnsEnvironment } } : {}) }] };
    try {
      setSent(await api<Accepted>('POST', '/v1/messages', { to, notification: { title: form.title, body: form.body } }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Send a test</h1>
      <form onSubmit={submit}>
        <fieldset>
          <legend>To</legend>
          <label class="row">
            <input type="radio" name="to" value="user" checked={form.to === 'user'} onChange={set('to')} /> a user id (all their devices)
          </label>
          <label class="row">
            <input type="radio" name="to" value="token" checked={form.to === 'token'} onChange={set('to')} /> a raw device token
          </label>
          <div class="fields">
            {form.to === 'user' ? (
              <label>
                User id
                <input name="userId" value={form.userId} onInput={set('userId')} required />
              </label>
            ) : (
              <>
                <label>
                  Provider
                  <select name="provider" value={provider} onChange={set('provider')}>
                    {providers.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Token
                  <input name="token" value={form.token} onInput={set('token')} required size={48} autoComplete="off" />
                </label>
                {provider === 'apns' && (
                  <label>
                    APNs environment
                    <select value={form.apnsEnvironment} onChange={set('apnsEnvironment')}>
                      <option value="sandbox">sandbox</option>
                      <option value="production">production</option>
                    </select>
                  </label>
                )}
              </>
            )}
          </div>
        </fieldset>
        <fieldset>
          <legend>Notification</legend>
          <div class="stack">
            <label>
              Title
              <input name="title" value={form.title} onInput={set('title')} required />
            </label>
            <label>
              Body
              <textarea name="body" value={form.body} onInput={set('body')} rows={2} required />
            </label>
          </div>
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          Send
        </button>
      </form>
      <Alert error={error} />
      {sent && <LiveStatus key={sent.id} accepted={sent} />}
    </>
  );
}

/** Follows the message every second while it is in progress, then a few more seconds for vendor receipts. */
function LiveStatus({ accepted }: { accepted: Accepted }) {
  const [doneAt, setDoneAt] = useState<number | null>(null);
  const following = doneAt === null || Date.now() - doneAt < 5000;
  const msg = usePoll(
    async () => {
      const m = await api<MessageStatus>('GET', `/v1/messages/${encodeURIComponent(accepted.id)}?limit=20`);
      if (m.status === 'done' && doneAt === null) setDoneAt(Date.now());
      return m;
    },
    following ? 1000 : 0,
    `${accepted.id}|${following}`,
  );
  return (
    <section aria-live="polite">
      <h2>
        Message{' '}
        <a class="mono" href={`#/messages/${encodeURIComponent(accepted.id)}`}>
          {accepted.id}
        </a>
      </h2>
      <p>
        Accepted for {accepted.targets} {accepted.targets === 1 ? 'device' : 'devices'}
        {accepted.skipped?.length ? `; skipped: ${accepted.skipped.map((s) => `${s.userId ?? s.provider ?? ''} ${s.reason}`).join(', ')}` : ''}.
      </p>
      <Alert error={msg.error} />
      {msg.data && (
        <>
          <p>
            <strong data-testid="live-status">{msg.data.status === 'done' ? 'done' : 'in progress'}</strong> · <CountBadges counts={msg.data.counts} />
            {following ? <span class="hint"> · following live</span> : null}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Token</th>
                <th scope="col">State</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {msg.data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>{d.provider}</td>
                  <td class="mono">{d.token}</td>
                  <td>
                    <StateBadge state={d.state} />
                  </td>
                  <td>{errorInWords(d.lastError)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
