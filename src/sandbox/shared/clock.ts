/**
 * A clock that runs `timeScale` times faster than real time, so a one-minute rate-limit window or a
 * seven-second webhook timeout passes in milliseconds in tests. `now()` is virtual epoch ms.
 */
export interface ScaledClock {
  readonly timeScale: number;
  now(): number;
  /** Waits `ms` of virtual time. */
  sleep(ms: number): Promise<void>;
  /** Real milliseconds for `ms` of virtual time. */
  toReal(ms: number): number;
}

export function createScaledClock(timeScale = 1, start = Date.now()): ScaledClock {
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  const t0 = performance.now();
  const toReal = (ms: number) => Math.max(0, ms / timeScale);
  return {
    timeScale,
    now: () => (timeScale === 1 ? Date.now() : Math.floor(start + (performance.now() - t0) * timeScale)),
    sleep: (ms) => new Promise<void>((r) => setTimeout(r, toReal(ms))),
    toReal,
  };
}
