/** Messages: the tenant's recent messages with their per-state counts (GET /v1/messages), newest first. */
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Alert, CountBadges, Updated } from '../components.js';
import { time } from '../format.js';
import { usePoll } from '../hooks.js';
import type { ListedMessage } from '../types.js';

const PAGE = 25;

export function Messages() {
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one, so "Newer" can go back; the first page refreshes by itself.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = usePoll(
    () => api<{ messages: ListedMessage[]; nextCursor: string | null }>('GET', `/v1/messages${query({ limit: PAGE, status, cursor })}`),
    cursor ? 0 : 3000,
    `${status}|${cursor ?? ''}`,
  );
  const totals = page.data?.messages.reduce<Record<string, number>>((acc, m) => {
    for (const [s, n] of Object.entries(m.counts)) acc[s] = (acc[s] ?? 0) + n;
    return acc;
  }, {});
  return (
    <>
      <h1>Messages</h1>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursors([]);
            }}
          >
            <option value="">all</option>
            <option value="in_progress">in progress</option>
            <option value="done">done</option>
          </select>
        </label>
      </form>
      <Alert error={page.error} />
      {totals && (
        <p>
          Deliveries of the messages below: <CountBadges counts={totals} />
        </p>
      )}
      {page.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Created</th>
              <th scope="col">Category</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Deliveries</th>
              <th scope="col">By state</th>
            </tr>
          </thead>
          <tbody>
            {page.data.messages.map((m) => (
              <tr key={m.id}>
                <td>
                  <a class="mono" href={`#/messages/${encodeURIComponent(m.id)}`}>
                    {m.id}
                  </a>
                </td>
                <td>{time(m.createdAt)}</td>
                <td>{m.category ?? '—'}</td>
                <td>{m.status === 'done' ? 'done' : 'in progress'}</td>
                <td class="num">{m.total}</td>
                <td>
                  <CountBadges counts={m.counts} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.data?.messages.length === 0 && <p class="hint">No messages in this view (messages are kept for retention.messageDays).</p>}
      <div class="actions">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Older
        </button>
      </div>
      <Updated at={page.at} error={page.error} />
    </>
  );
}
