import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalescedAnnouncer } from './pgAnnounce.ts';

/** A `send` whose calls are counted and finished by hand. */
function manualSend() {
  const pending: Array<() => void> = [];
  return {
    send: () => new Promise<void>((resolve) => pending.push(resolve)),
    sent: () => pending.length,
    finish: async () => {
      pending.at(-1)!();
      // The announcer's continuation runs on the promise's settlement.
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

describe('coalescedAnnouncer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at once when idle; calls made while a send runs are answered by one more send after it', async () => {
    const s = manualSend();
    const announce = coalescedAnnouncer(s.send, () => undefined);
    announce();
    expect(s.sent()).toBe(1);
    announce();
    announce();
    expect(s.sent()).toBe(1);
    await s.finish();
    expect(s.sent()).toBe(2);
    await s.finish();
    expect(s.sent()).toBe(2);
  });

  it('starts sends at least minIntervalMs apart: a steady stream of calls costs one send per interval, none is dropped', async () => {
    vi.useFakeTimers();
    const s = manualSend();
    const announce = coalescedAnnouncer(s.send, () => undefined, 20);
    announce();
    expect(s.sent()).toBe(1);
    await s.finish();
    // 5 ms after the first send started: the next one waits for the rest of the interval.
    vi.advanceTimersByTime(5);
    announce();
    announce();
    expect(s.sent()).toBe(1);
    vi.advanceTimersByTime(14);
    expect(s.sent()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(s.sent()).toBe(2);
    // A call while that send runs: answered after it, once the interval since its start has passed.
    announce();
    await s.finish();
    expect(s.sent()).toBe(2);
    vi.advanceTimersByTime(20);
    expect(s.sent()).toBe(3);
    await s.finish();
    // After a quiet spell: at once.
    vi.advanceTimersByTime(100);
    announce();
    expect(s.sent()).toBe(4);
  });

  it('a failed send is reported and does not stop the next', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const announce = coalescedAnnouncer(
      () => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve()),
      (e) => errors.push(e),
    );
    announce();
    announce();
    await vi.waitFor(() => expect(calls).toBe(2));
    expect(errors).toHaveLength(1);
  });
});
