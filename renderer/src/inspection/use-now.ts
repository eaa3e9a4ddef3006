import { useEffect, useState } from 'react';

/** The current time, re-read every `everyMs` while `active` (running phases tick; finished ones do not). */
export function useNow(active: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const update = () => setNow(Date.now());
    // Catch up at once when the clock starts (a phase that just began running), then tick.
    const first = setTimeout(update, 0);
    const timer = setInterval(update, everyMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [active, everyMs]);
  return now;
}
