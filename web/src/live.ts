/**
 * Live updates from the server (Server-Sent Events): the view as it changes, without reloading. EventSource
 * reconnects by itself after a dropped connection; when the server refuses the stream (the session ended),
 * the session is checked and the page either signs out or tries again a little later.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { API, api, ApiError } from './api.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export function useLive<T>(view: 'agent' | 'supervisor', onData: (data: T) => void, onSignedOut: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onData, onSignedOut });
  handlers.current = { onData, onSignedOut };

  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const open = (): void => {
      source = new EventSource(`${API}/events?view=${view}`);
      source.addEventListener('open', () => setState('live'));
      source.addEventListener(view, (event) => {
        setState('live');
        handlers.current.onData(JSON.parse((event as MessageEvent<string>).data) as T);
      });
      source.addEventListener('signed-out', () => {
        source?.close();
        handlers.current.onSignedOut();
      });
      source.addEventListener('error', () => {
        if (stopped) return;
        setState('reconnecting');
        if (source?.readyState !== EventSource.CLOSED) return; // the browser retries by itself
        api.session().then(
          () => {
            if (!stopped) retry = setTimeout(open, 3000);
          },
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 401) handlers.current.onSignedOut();
            else if (!stopped) retry = setTimeout(open, 3000);
          },
        );
      });
    };
    open();
    return () => {
      stopped = true;
      source?.close();
      if (retry !== undefined) clearTimeout(retry);
    };
  }, [view]);

  return state;
}
