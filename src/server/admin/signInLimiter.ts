/**
 * Failed sign-ins per client address in a sliding window; past the limit the address waits. Counted in
 * memory (one bridge process serves the console; a restart forgets, which only helps a locked-out user).
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly maxFailures: number, private readonly windowMs = 15 * 60_000) {}

  /** Milliseconds this address must wait before trying again (0: may try now). */
  retryAfterMs(addr: string, now: number): number {
    const list = this.prune(addr, now);
    if (list.length < this.maxFailures) return 0;
    return Math.max(1, list[list.length - this.maxFailures]! + this.windowMs - now);
  }

  fail(addr: string, now: number): void {
    const list = this.prune(addr, now);
    list.push(now);
    this.failures.set(addr, list);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(addr: string): void {
    this.failures.delete(addr);
  }

  private prune(addr: string, now: number): number[] {
    const list = (this.failures.get(addr) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(addr);
    return list;
  }
}
