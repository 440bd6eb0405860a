"use client";

import { useEffect, useState } from "react";

/** Whole seconds left until `until` (0 when passed), ticking every second. */
export function useCountdown(until: Date | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until.getTime() - now) / 1000)) : 0;
}
