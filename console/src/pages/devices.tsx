/**
 * Devices: a user's devices by user id (GET /v1/devices?userId=, tokens masked by the API), delete
 * one (DELETE /v1/devices/{id}), export the user (GET /v1/users/{id}/data, as a JSON download) or
 * erase the user (DELETE /v1/users/{id}), each destructive step behind a confirmation.
 */
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { Alert, Confirm } from '../components.js';
import { time } from '../format.js';
import { messageOf, useAction } from '../hooks.js';
import type { Device } from '../types.js';

export function Devices() {
  const [userId, setUserId] = useState('');
  const [shown, setShown] = useState<{ userId: string; devices: Device[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'device'; device: Device } | { kind: 'erase' } | null>(null);
  const [download, setDownload] = useState<{ url: string; name: string } | null>(null);
  const action = useAction();

  const look = async (id: string) => {
    setError(null);
    try {
      setShown({ userId: id, devices: (await api<{ devices: Device[] }>('GET', `/v1/devices${query({ userId: id })}`)).devices });
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <>
      <h1>Devices</h1>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          action.clear();
          setDownload(null);
          void look(userId.trim());
        }}
      >
        <label>
          User id
          <input name="userId" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} required />
        </label>
        <button type="submit" class="primary">
          Look up
        </button>
      </form>
      <Alert error={error ?? action.error} info={action.result} />
      {shown && (
        <>
          <h2>
            Devices of <span class="mono">{shown.userId}</span> ({shown.devices.length})
          </h2>
          {shown.devices.length > 0 ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Token (masked)</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">
                    <span class="hint">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.devices.map((d) => (
                  <tr key={d.id} data-device={d.id}>
                    <td>{d.provider}</td>
                    <td class="mono">{d.token}</td>
                    <td>{time(d.createdAt)}</td>
                    <td>{time(d.lastSeenAt)}</td>
                    <td>
                      <button type="button" onClick={() => setConfirm({ kind: 'device', device: d })} aria-label={`Delete the ${d.provider} device ${d.token}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="hint">No device is registered for this user id.</p>
          )}
          <div class="actions">
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                action.run(async () => {
                  const data = await api<{ devices: unknown[]; deliveries: unknown[] }>('GET', `/v1/users/${encodeURIComponent(shown.userId)}/data`);
                  if (download) URL.revokeObjectURL(download.url);
                  setDownload({ url: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })), name: `pushgate-user-${shown.userId}.json` });
                  return `Export ready: ${data.devices.length} devices and ${data.deliveries.length} deliveries (tokens masked).`;
                })
              }
            >
              Export user data
            </button>
            <button type="button" class="danger" disabled={action.busy} onClick={() => setConfirm({ kind: 'erase' })}>
              Erase user…
            </button>
            {download && (
              <a class="button" href={download.url} download={download.name}>
                Download {download.name}
              </a>
            )}
          </div>
        </>
      )}
      {confirm?.kind === 'device' && (
        <Confirm
          title="Delete this device?"
          confirmLabel="Delete the device"
          onClose={() => setConfirm(null)}
          onConfirm={() =>
            action.run(async () => {
              await api<void>('DELETE', `/v1/devices/${encodeURIComponent(confirm.device.id)}`);
              if (shown) await look(shown.userId);
              return `Deleted the ${confirm.device.provider} device ${confirm.device.token}.`;
            })
          }
        >
          <p>
            The {confirm.device.provider} device <span class="mono">{confirm.device.token}</span> stops receiving pushes until the app registers again.
          </p>
        </Confirm>
      )}
      {confirm?.kind === 'erase' && shown && (
        <Confirm
          title={`Erase user ${shown.userId}?`}
          confirmLabel="Erase everything"
          typeToConfirm={shown.userId}
          onClose={() => setConfirm(null)}
          onConfirm={() =>
            action.run(async () => {
              const r = await api<{ removed: { devices: number; deliveries: number } }>('DELETE', `/v1/users/${encodeURIComponent(shown.userId)}`);
              await look(shown.userId);
              return `Erased ${shown.userId}: ${r.removed.devices} devices and ${r.removed.deliveries} pending deliveries removed.`;
            })
          }
        >
          <p>Every device of this user and their pending deliveries are deleted; finished deliveries lose their link to the user. This cannot be undone.</p>
        </Confirm>
      )}
    </>
  );
}
