import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The abort signal of the job whose handler is running, carried through async calls so every remote
 * call a handler makes (however deep) stops being sent once the job was stopped: its deadline passed,
 * its lease went to another worker, or the process is shutting down. Connectors read it; handlers need
 * not pass it along.
 */
interface JobScope {
  signal: AbortSignal;
  /**
   * Asks the store whether this worker still holds the job's lease: null if it does, else why not.
   * Called before each external write; a lost lease also aborts the signal (by the dispatcher).
   */
  checkLease?: () => Promise<string | null>;
}

const current = new AsyncLocalStorage<JobScope>();

export function runWithJobSignal<T>(
  signal: AbortSignal,
  fn: () => Promise<T>,
  checkLease?: JobScope['checkLease'],
): Promise<T> {
  return current.run({ signal, checkLease }, fn);
}

export function currentJobSignal(): AbortSignal | undefined {
  return current.getStore()?.signal;
}

function reasonOf(s: AbortSignal): string {
  return s.reason instanceof Error ? s.reason.message : String(s.reason ?? 'stopped');
}

/** Why the current job was stopped, or null while it may go on. */
export function jobStopped(): string | null {
  const s = current.getStore()?.signal;
  if (!s?.aborted) return null;
  return reasonOf(s);
}

/**
 * Before a call that changes something remote (a POST, an upload, a file written or moved, a mail): null
 * when it may be sent, otherwise why not. Outside a job: always null. Inside one: refused once the job was
 * stopped (deadline, shutdown, lost lease), and the lease is read from the database first, so a handler
 * whose lease went to another worker does not make its next write even before the renewal beat notices.
 * (A lease lost between this check and the write itself is not caught: the window is one round trip.)
 */
export async function mayWrite(): Promise<string | null> {
  const scope = current.getStore();
  if (!scope) return null;
  if (scope.signal.aborted) return reasonOf(scope.signal);
  const lost = scope.checkLease ? await scope.checkLease() : null;
  if (scope.signal.aborted) return reasonOf(scope.signal);
  return lost;
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
