/**
 * Waiting in tests without sleeping as an assertion: `until` waits for the condition itself, with a
 * deadline that only bounds a failure (a loaded machine makes a passing test slower, never wrong);
 * `throughout` asserts an absence over the whole window that matters, checking all along it, so a
 * brief violation is caught and not just the state at the end.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs)); // sleep-ok: the poll interval of a condition wait
  }
}

/** `ok()` must hold at every check for `windowMs` (checked every `intervalMs`); throws at the first miss. */
export async function throughout(
  what: string,
  ok: () => boolean | Promise<boolean>,
  windowMs: number,
  intervalMs = 20,
): Promise<void> {
  const end = Date.now() + windowMs;
  for (;;) {
    if (!(await ok()))
      throw new Error(`${what} stopped holding ${windowMs - (end - Date.now())} ms into a ${windowMs} ms window`);
    if (Date.now() >= end) return;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(1, end - Date.now())))); // sleep-ok: the poll interval of a window check
  }
}
