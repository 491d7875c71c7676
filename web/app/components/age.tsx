import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { formatAge, formatTime } from "~/lib/format";

// "12 s ago" needs a clock. The server renders against the time its root loader read (passed to the browser with
// the page), the browser's first render uses that same time, so hydration sees the same text; after hydration
// one timer moves it on every second.

const NowContext = createContext<number | null>(null);

export function NowProvider({ serverNow, children }: { serverNow: number | null; children: ReactNode }) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <NowContext.Provider value={now}>{children}</NowContext.Provider>;
}

/** How long ago `time` was ("12 s ago"), with the absolute UTC time as its tooltip. */
export function Age({ time }: { time: string | null | undefined }) {
  const now = useContext(NowContext);
  if (!time) return <span className="muted">—</span>;
  const absolute = formatTime(time);
  return (
    <time className="age" dateTime={time} title={absolute}>
      {now === null ? absolute : formatAge(time, now)}
    </time>
  );
}
