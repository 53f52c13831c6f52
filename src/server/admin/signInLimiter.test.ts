import { describe, expect, it } from 'vitest';
import { addressPrefix, SignInLimiter, WorkGate } from './signInLimiter.ts';

describe('addressPrefix: one party, one key', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0002::9', '2001:db8:0:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s -> %s', (addr, key) => expect(addressPrefix(addr)).toBe(key));
});

describe('SignInLimiter', () => {
  it('counts an attempt when it begins, so the (limit+1)th parallel attempt waits', () => {
    const l = new SignInLimiter(3);
    expect([0, 0, 0].map(() => l.begin('k', 1_000))).toEqual([0, 0, 0]);
    expect(l.begin('k', 1_000)).toBeGreaterThan(0);
    expect(l.begin('other', 1_000)).toBe(0);
  });
  it('a success clears only its own key', () => {
    const l = new SignInLimiter(2);
    l.begin('a', 0);
    l.begin('a', 0);
    l.begin('b', 0);
    l.succeed('b');
    expect(l.retryAfterMs('a', 1)).toBeGreaterThan(0);
  });
  it('the window slides', () => {
    const l = new SignInLimiter(1, 1_000);
    l.begin('k', 0);
    expect(l.retryAfterMs('k', 500)).toBe(500);
    expect(l.retryAfterMs('k', 1_001)).toBe(0);
  });
});

describe('WorkGate', () => {
  it('runs at most max at once and refuses past the queue', async () => {
    const g = new WorkGate(2, 1);
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const job = () =>
      g.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
      });
    const runs = [job(), job(), job(), job()];
    expect(await runs[3]).toEqual({ ok: false });
    while (release.length > 0 || running > 0) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 1)); // sleep-ok: a turn for the released job to finish, in a loop that waits for all of them
    }
    expect((await Promise.all(runs.slice(0, 3))).every((r) => r.ok)).toBe(true);
    expect(peak).toBe(2);
  });
});
