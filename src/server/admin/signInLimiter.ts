import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address one party controls: an IPv4 address as is, an IPv6 address by its /64
 * (one subscriber usually holds a whole /64, so keying by the full address lets them rotate freely).
 */
export function addressPrefix(addr: string): string {
  const a = addr.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return mapped[1]!;
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return a;
  const [head, tail = ''] = a.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // An embedded IPv4 tail takes two groups.
  const groups = [
    ...h,
    ...Array(Math.max(0, 8 - h.length - t.length - (t.some((x) => x.includes('.')) ? 1 : 0))).fill('0'),
    ...t,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Failed sign-ins per key (address prefix + user) in a sliding window; past the limit the key waits.
 * An attempt is counted when it starts (`begin`), before any password hashing is awaited, so parallel
 * guesses cannot all pass the check; a good sign-in clears only its own key. Counted in memory (one
 * bridge process serves the console; a restart forgets, which only helps a locked-out user).
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = 15 * 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Milliseconds this key must wait before trying again (0: may try now). */
  retryAfterMs(key: string, now: number): number {
    const list = this.prune(key, now);
    if (list.length < this.maxFailures) return 0;
    return Math.max(1, list[list.length - this.maxFailures]! + this.windowMs - now);
  }

  /** Count an attempt now; `succeed` takes it back. Returns the wait when the key is already over the limit (then nothing is counted). */
  begin(key: string, now: number): number {
    const wait = this.retryAfterMs(key, now);
    if (wait > 0) return wait;
    this.fail(key, now);
    return 0;
  }

  fail(key: string, now: number): void {
    const list = this.prune(key, now);
    list.push(now);
    this.failures.delete(key);
    this.failures.set(key, list);
    // Forget the least recently failing key first: a flood of fresh keys cannot evict a key under attack for long.
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Take back the latest attempt counted for `key` (it succeeded). */
  undo(key: string): void {
    this.failures.get(key)?.pop();
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}

/** At most `max` runs at once and `queue` waiting; past that `run` refuses at once (the caller answers 503). */
export class WorkGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly max: number,
    private readonly queue: number,
  ) {}

  get busy(): boolean {
    return this.active >= this.max && this.waiting.length >= this.queue;
  }

  async run<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.active >= this.max) {
      if (this.waiting.length >= this.queue) return { ok: false };
      await new Promise<void>((r) => this.waiting.push(r));
    } else this.active++;
    try {
      return { ok: true, value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
