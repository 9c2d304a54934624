/** Shared pieces: alerts, counts, and the confirmation dialog (a real <dialog>: focus trapped, Esc cancels). */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { DELIVERY_STATES, type Counts } from './types.js';

export function Alert({ error, info }: { error?: string | null; info?: string | null }) {
  if (error) return <p class="alert error" role="alert">{error}</p>;
  if (info) return <p class="alert info" role="status">{info}</p>;
  return null;
}

const TONE: Record<string, string> = { sent: 'ok', delivered: 'ok', failed: 'bad', expired: 'warn', canceled: 'warn', queued: '', sending: '' };

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${TONE[state] ?? ''}`}>{state}</span>;
}

/** The non-zero states, e.g. "sent 3 · failed 1". */
export function CountBadges({ counts }: { counts: Partial<Counts> }) {
  const shown = DELIVERY_STATES.filter((s) => (counts[s] ?? 0) > 0);
  if (!shown.length) return <span class="hint">no deliveries</span>;
  return (
    <span class="counts">
      {shown.map((s) => (
        <span key={s} class={`badge ${TONE[s] ?? ''}`} data-state={s}>
          {s} {counts[s]}
        </span>
      ))}
    </span>
  );
}

export interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** When set, the operator types this (e.g. the user id) before the button works. */
  typeToConfirm?: string;
  onConfirm(): void;
  onClose(): void;
}

export function Confirm({ title, children, confirmLabel, typeToConfirm, onConfirm, onClose }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const ok = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="confirm-title">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!ok) return;
          ref.current?.close();
          onConfirm();
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <div>{children}</div>
        {typeToConfirm !== undefined && (
          <label>
            <span>
              Type <code>{typeToConfirm}</code> to confirm
            </span>
            <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" />
          </label>
        )}
        <div class="actions">
          <button type="submit" class="danger" disabled={!ok}>
            {confirmLabel}
          </button>
          <button type="button" onClick={() => ref.current?.close()}>
            Keep it
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function Updated({ at, error }: { at: Date | null; error: string | null }) {
  return (
    <p class="hint" aria-live="polite">
      {error ? `Last refresh failed: ${error}` : at ? `Updated ${at.toLocaleTimeString()}` : 'Loading…'}
    </p>
  );
}
