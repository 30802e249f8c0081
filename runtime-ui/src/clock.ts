/**
 * Engine time. SLA countdowns and running durations are measured against the server's clock, not
 * the browser's: the two may differ, and a server on the manual clock (tests, simulations) stands
 * still until someone advances it — then the countdowns stand still too.
 */
import { useEffect, useState } from 'react';
import { api, type Health } from './api.ts';

interface Reading {
  engineNow: number;
  at: number;
  manual: boolean;
}

/** The engine's current time in ms, ticking every second on the system clock; undefined until known. `refresh` re-reads it. */
export function useEngineNow(refresh: unknown = 0): number | undefined {
  const [reading, setReading] = useState<Reading>();
  const [, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `refresh` is the caller's "read it again"
  useEffect(() => {
    let live = true;
    api
      .get<Health>('/api/health')
      .then((h) => {
        if (live) setReading({ engineNow: h.now ?? Date.now(), at: Date.now(), manual: h.clock === 'manual' });
      })
      .catch(() => {
        if (live) setReading({ engineNow: Date.now(), at: Date.now(), manual: false });
      });
    return () => {
      live = false;
    };
  }, [refresh]);
  useEffect(() => {
    if (!reading || reading.manual) return;
    const timer = window.setInterval(() => setTick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, [reading]);
  if (!reading) return undefined;
  return reading.manual ? reading.engineNow : reading.engineNow + (Date.now() - reading.at);
}
