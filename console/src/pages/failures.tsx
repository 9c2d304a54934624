/**
 * Failures: the dead-letter view grouped by provider × error code for a chosen window
 * (GET /v1/deliveries/summary), each group with what the vendor code means, what to do, its
 * deliveries (GET /v1/deliveries) and a Retry (POST /v1/deliveries/retry with the group's filters).
 */
import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Alert, StateBadge, Updated } from '../components.js';
import { errorInWords, time } from '../format.js';
import { useAction, usePoll } from '../hooks.js';
import type { Delivery, ReplayResult, SummaryRow } from '../types.js';
import { replayInWords } from './message.js';

const WINDOWS = [
  { label: 'last hour', ms: 3600_000 },
  { label: 'last 6 hours', ms: 6 * 3600_000 },
  { label: 'last 24 hours', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
];

interface Group {
  provider: string;
  errorCode: string | null;
  count: number;
  explanation: SummaryRow['explanation'];
}

export function Failures() {
  const [windowMs, setWindowMs] = useState(WINDOWS[0]!.ms);
  // The window's start is fixed when it is chosen, so Retry and the list cover what the counts counted.
  const since = useMemo(() => new Date(Date.now() - windowMs).toISOString(), [windowMs]);
  const summary = usePoll(() => api<{ since: string; counts: SummaryRow[] }>('GET', `/v1/deliveries/summary${query({ since })}`), 5000, since);
  const groups = useMemo(() => groupFailures(summary.data?.counts ?? []), [summary.data]);
  return (
    <>
      <h1>Failures</h1>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window
          <select value={String(windowMs)} onChange={(e) => setWindowMs(Number(e.currentTarget.value))}>
            {WINDOWS.map((w) => (
              <option key={w.ms} value={String(w.ms)}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p class="hint">Failed and expired deliveries since {time(since)}, by provider and error code.</p>
      <Alert error={summary.error} />
      {summary.data && !groups.length && <p class="alert info">Nothing failed in this window.</p>}
      {groups.map((g) => (
        <FailureGroup key={`${g.provider}/${g.errorCode}`} group={g} since={since} onRetried={summary.reload} />
      ))}
      <Updated at={summary.at} error={summary.error} />
    </>
  );
}

function FailureGroup({ group, since, onRetried }: { group: Group; since: string; onRetried(): void }) {
  const [open, setOpen] = useState(false);
  const action = useAction();
  const filters = { provider: group.provider, ...(group.errorCode ? { errorCode: group.errorCode } : {}), since };
  const title = `${group.provider} · ${group.errorCode ?? 'no error code'}`;
  return (
    <section class="card group" aria-label={title} data-group={`${group.provider}/${group.errorCode ?? ''}`}>
      <h2>
        {title} <span class="badge bad">{group.count}</span>
      </h2>
      <div class="explain">
        {group.explanation ? (
          <>
            <p>
              <strong>What it means:</strong> {group.explanation.meaning}
            </p>
            <p>
              <strong>What to do:</strong> {group.explanation.action}
            </p>
          </>
        ) : (
          <p class="hint">No explanation is recorded for this code; see the vendor page under docs/vendors/ and the deliveries' last error.</p>
        )}
      </div>
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={action.busy}
          onClick={() =>
            action.run(async () => {
              const r = await api<ReplayResult>('POST', '/v1/deliveries/retry', filters);
              onRetried();
              return replayInWords(r);
            })
          }
        >
          Retry this group
        </button>
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide deliveries' : 'Show deliveries'}
        </button>
      </div>
      <Alert error={action.error} info={action.result} />
      {open && <GroupDeliveries filters={filters} />}
    </section>
  );
}

function GroupDeliveries({ filters }: { filters: Record<string, string> }) {
  const list = usePoll(() => api<{ deliveries: Delivery[] }>('GET', `/v1/deliveries${query({ ...filters, limit: 10 })}`), 0, JSON.stringify(filters));
  if (list.error) return <Alert error={list.error} />;
  if (!list.data) return <p class="hint">Loading…</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Message</th>
          <th scope="col">Token</th>
          <th scope="col">State</th>
          <th scope="col">Last error</th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {list.data.deliveries.map((d) => (
          <tr key={d.id}>
            <td>
              <a class="mono" href={`#/messages/${encodeURIComponent(d.messageId ?? '')}`}>
                {d.messageId}
              </a>
            </td>
            <td class="mono">{d.token}</td>
            <td>
              <StateBadge state={d.state} />
            </td>
            <td>{errorInWords(d.lastError)}</td>
            <td>{time(d.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** failed + expired rows, summed per (provider, error code), largest first. */
export function groupFailures(rows: SummaryRow[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    if (r.state !== 'failed' && r.state !== 'expired') continue;
    const key = `${r.provider}\0${r.errorCode ?? ''}`;
    const g = groups.get(key) ?? { provider: r.provider, errorCode: r.errorCode, count: 0, explanation: r.explanation ?? null };
    g.count += r.count;
    g.explanation ??= r.explanation ?? null;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.provider.localeCompare(b.provider));
}
