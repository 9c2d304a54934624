/**
 * One message: its counts (GET /v1/messages/{id}), its deliveries filtered and paginated
 * (GET /v1/messages/{id}/deliveries), Retry failed (POST .../retry) and Cancel (DELETE).
 */
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Alert, Confirm, CountBadges, StateBadge, Updated } from '../components.js';
import { errorInWords, time } from '../format.js';
import { useAction, usePoll } from '../hooks.js';
import { DELIVERY_STATES, type CancelResult, type Delivery, type MessageStatus, type ReplayResult } from '../types.js';

const PAGE = 20;

export function MessagePage({ id }: { id: string }) {
  const path = `/v1/messages/${encodeURIComponent(id)}`;
  const msg = usePoll(() => api<MessageStatus>('GET', `${path}?limit=1`), 2000, id);
  const [filter, setFilter] = useState({ state: '', provider: '', errorCode: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = usePoll(
    () => api<{ deliveries: Delivery[]; nextCursor: string | null }>('GET', `${path}/deliveries${query({ ...filter, limit: PAGE, cursor })}`),
    cursor ? 0 : 2000,
    `${id}|${JSON.stringify(filter)}|${cursor ?? ''}`,
  );
  const action = useAction();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const counts = msg.data?.counts;
  const retryable = counts ? counts.failed + counts.expired : 0;
  const cancelable = counts ? counts.queued + counts.sending : 0;
  const setF = (k: keyof typeof filter) => (e: Event) => {
    setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value });
    setCursors([]);
  };

  return (
    <>
      <p>
        <a href="#/messages">← Messages</a>
      </p>
      <h1>
        Message <span class="mono">{id}</span>
      </h1>
      <Alert error={msg.data ? null : msg.error} />
      {msg.data && counts && (
        <>
          <p>
            Created {time(msg.data.createdAt)} · <strong data-testid="message-status">{msg.data.status === 'done' ? 'done' : 'in progress'}</strong> · <CountBadges counts={counts} />
          </p>
          <div class="actions">
            <button
              type="button"
              disabled={!retryable || action.busy}
              onClick={() =>
                action.run(async () => {
                  const r = await api<ReplayResult>('POST', `${path}/retry`, {});
                  msg.reload();
                  list.reload();
                  return replayInWords(r);
                })
              }
            >
              Retry failed ({retryable})
            </button>
            <button type="button" class="danger" disabled={!cancelable || action.busy} onClick={() => setConfirmCancel(true)}>
              Cancel ({cancelable} pending)
            </button>
          </div>
          <Alert error={action.error} info={action.result} />
        </>
      )}
      {confirmCancel && (
        <Confirm
          title="Cancel this message?"
          confirmLabel="Cancel the message"
          onClose={() => setConfirmCancel(false)}
          onConfirm={() =>
            action.run(async () => {
              const r = await api<CancelResult>('DELETE', path);
              msg.reload();
              list.reload();
              return `Canceled ${r.canceled} queued; ${r.in_flight} already at the vendor finish; ${r.recalled} recalled, ${r.not_recallable} sent and not recallable.`;
            })
          }
        >
          <p>Queued deliveries are canceled and never sent; sent ones are recalled where the vendor can.</p>
        </Confirm>
      )}

      <h2>Deliveries</h2>
      <form class="inline" onSubmit={(e) => e.preventDefault()} aria-label="Filter deliveries">
        <label>
          State
          <select value={filter.state} onChange={setF('state')}>
            <option value="">any</option>
            {DELIVERY_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Provider
          <select value={filter.provider} onChange={setF('provider')}>
            <option value="">any</option>
            {Object.keys(msg.data?.providers ?? {}).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Error code
          <input value={filter.errorCode} onChange={setF('errorCode')} placeholder="e.g. invalid_token" size={16} />
        </label>
      </form>
      <Alert error={list.error} />
      {list.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Provider</th>
              <th scope="col">Token</th>
              <th scope="col">State</th>
              <th scope="col" class="num">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {list.data.deliveries.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <td class="mono">{d.id}</td>
                <td>{d.provider}</td>
                <td class="mono">{d.token}</td>
                <td>
                  <StateBadge state={d.state} />
                </td>
                <td class="num">{d.attempts}</td>
                <td>{errorInWords(d.lastError)}</td>
                <td>{time(d.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.deliveries.length === 0 && <p class="hint">No delivery matches.</p>}
      <div class="actions">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}>
          Next page
        </button>
      </div>
      <Updated at={msg.at} error={msg.error} />
    </>
  );
}

export function replayInWords(r: ReplayResult): string {
  const skipped = r.skipped.invalid_token + r.skipped.device_removed + r.skipped.ttl_passed;
  const why = skipped ? ` Left as they were: ${r.skipped.invalid_token} invalid token, ${r.skipped.device_removed} device removed, ${r.skipped.ttl_passed} past their time to live.` : '';
  return `Requeued ${r.requeued} ${r.requeued === 1 ? 'delivery' : 'deliveries'}.${why}${r.more ? ' More match: retry again for the next batch.' : ''}`;
}
