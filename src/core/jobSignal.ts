import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The abort signal of the job whose handler is running, carried through async calls so every remote
 * call a handler makes (however deep) stops being sent once the job was stopped: its deadline passed,
 * its lease went to another worker, or the process is shutting down. Connectors read it; handlers need
 * not pass it along.
 */
const current = new AsyncLocalStorage<AbortSignal>();

export function runWithJobSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return current.run(signal, fn);
}

export function currentJobSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** Why the current job was stopped, or null while it may go on. */
export function jobStopped(): string | null {
  const s = current.getStore();
  if (!s?.aborted) return null;
  return s.reason instanceof Error ? s.reason.message : String(s.reason ?? 'stopped');
}

/**
 * `work`'s value, or `stopped` if `signal` aborts first. The abort listener is removed as soon as either
 * happens, so a job making thousands of calls does not pile listeners on its signal.
 */
export function unlessAborted<T, S>(work: Promise<T>, signal: AbortSignal | undefined, stopped: S): Promise<T | S> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(stopped);
  return new Promise<T | S>((resolve, reject) => {
    const onAbort = () => resolve(stopped);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
