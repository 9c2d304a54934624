/** The console's few hooks: the hash route, polling, and one async action at a time. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

/** The part after '#', e.g. "/messages/msg_1"; hash routes need no server fallback. */
export function useRoute(): string {
  const read = () => location.hash.replace(/^#/, '') || '/lanes';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export interface Polled<T> {
  data: T | undefined;
  error: string | null;
  /** When the last answer arrived. */
  at: Date | null;
  reload(): void;
}

/** Loads now and every `everyMs` (0: once) while mounted; a change of `key` starts over. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: string): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; at: Date | null }>({ data: undefined, error: null, at: null });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (live) setState({ data, error: null, at: new Date() });
      } catch (err) {
        if (live) setState((s) => ({ ...s, error: messageOf(err) }));
      }
      if (live && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, everyMs, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Runs one action at a time and keeps its outcome (a sentence) or its error for display. */
export function useAction(): { busy: boolean; result: string | null; error: string | null; run(fn: () => Promise<string>): Promise<void>; clear(): void } {
  const [s, set] = useState<{ busy: boolean; result: string | null; error: string | null }>({ busy: false, result: null, error: null });
  return {
    ...s,
    async run(fn) {
      set({ busy: true, result: null, error: null });
      try {
        set({ busy: false, result: await fn(), error: null });
      } catch (err) {
        set({ busy: false, result: null, error: messageOf(err) });
      }
    },
    clear: () => set({ busy: false, result: null, error: null }),
  };
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiFailure) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
