/**
 * Time on the page: the server's clock, estimated from the `now` each view carries (so a wrong clock on the
 * agent's computer does not skew countdowns), a once-a-second tick for ages and countdowns, and formatting.
 */
import { useEffect, useState } from 'preact/hooks';

let offsetMs = 0;

/** Records the server's time from a view it just sent. */
export function syncServerClock(serverNow: number): void {
  offsetMs = serverNow - Date.now();
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Re-renders the calling component every second; returns the server's time. */
export function useTick(): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** 75_000 → "1:15"; 3_725_000 → "1:02:05". Negative durations show as 0:00. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function clockTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
