/** Lanes: one row per provider of the tenant, refreshed every 2 s (GET /v1/lanes). */
import { api } from '../api.js';
import { Alert, Updated } from '../components.js';
import { ago, until } from '../format.js';
import { usePoll } from '../hooks.js';
import type { Lane } from '../types.js';

export const LANES_REFRESH_MS = 2000;

export function Lanes() {
  const lanes = usePoll(() => api<{ lanes: Lane[] }>('GET', '/v1/lanes'), LANES_REFRESH_MS, 'lanes');
  return (
    <>
      <h1>Lanes</h1>
      <p class="hint">One lane per provider: its queue, whether it is paused or its vendor is down, and what it sends. Refreshes every {LANES_REFRESH_MS / 1000} s.</p>
      <Alert error={lanes.data ? null : lanes.error} />
      {lanes.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col" class="num">Queued</th>
              <th scope="col" class="num">Sending</th>
              <th scope="col">Oldest waiting</th>
              <th scope="col">Paused</th>
              <th scope="col">Vendor</th>
              <th scope="col" class="num">Quota left</th>
              <th scope="col" class="num">Sent last minute</th>
            </tr>
          </thead>
          <tbody>
            {lanes.data.lanes.map((l) => (
              <tr key={l.provider} data-provider={l.provider}>
                <th scope="row">{l.provider}</th>
                <td class="num" data-col="queued">{l.queued}</td>
                <td class="num" data-col="sending">{l.sending}</td>
                <td>{ago(l.oldestQueuedAt)}</td>
                <td>{l.paused ? <span class="badge warn">{`${l.paused.reason} ${until(l.paused.until)}`}</span> : <span class="hint">no</span>}</td>
                <td>
                  {l.providerUp ? <span class="badge ok">up</span> : <span class="badge bad">down</span>}
                  {l.lastError && <div class="hint">{l.lastError}</div>}
                </td>
                <td class="num">{l.quota?.remaining ?? '—'}</td>
                <td class="num" data-col="sent">{l.sentLastMinute}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Updated at={lanes.at} error={lanes.error} />
    </>
  );
}
