import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { OpenStoreOptions } from '../store/db.ts';
import { trustPeerToken } from './peerAddress.ts';

/** What the intake thread starts with (server.intake_thread). */
export interface IntakeWorkerData {
  storeUrl: string;
  storeOptions: Pick<OpenStoreOptions, 'statementTimeoutMs' | 'idleInTransactionTimeoutMs' | 'connectTimeoutMs'>;
  host: string;
  port: number;
  /** Null: no Trading Grid community webhook route. */
  tgWebhookSecret: string | null;
  clickUpWebhookSecret: string | null;
  bodyLimitBytes: number;
  bodyLimitBytesBySource: { tradinggrid?: number; clickup?: number };
  /** The bridge's own server on loopback: every request that is not a webhook goes there. */
  backendUrl: string;
  peerToken: string;
}

export type IntakeToMain =
  | { t: 'listening'; url: string }
  | { t: 'listen-failed'; code: string | null; message: string }
  | { t: 'accepted' }
  | { t: 'clickup-failed' }
  | { t: 'error'; message: string; method: string; path: string }
  | { t: 'loop-delay'; p99Ms: number; maxMs: number }
  | { t: 'stopped' };

export type IntakeFromMain = { t: 'clickup-secret'; secret: string | null } | { t: 'loop-delay' } | { t: 'stop' };

export interface IntakeThread {
  url: string;
  /** The ClickUp webhook's secret changed (registration, or read from the leader's store). */
  setClickUpSecret(secret: string | null): void;
  /** The thread's event-loop delay since the previous call (ms; /metrics); null if it does not answer within 1 s. */
  loopDelay(): Promise<{ p99Ms: number; maxMs: number } | null>;
  /** Stops taking requests, closes its store connection, ends the thread. */
  stop(): Promise<void>;
}

export interface IntakeThreadOptions extends Omit<IntakeWorkerData, 'peerToken'> {
  onAccepted: () => void;
  onClickUpAnswerFailed: () => void;
  onError: (e: { message: string; method: string; path: string }) => void;
}

/** The error a failed listen in the intake thread rejects with: its `code` as a listen's would have. */
export class IntakeListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Start the intake thread and wait until it listens on host:port (rejects with IntakeListenError if it
 * cannot). The thread answers webhooks with its own store connection and forwards the rest to `backendUrl`.
 */
export function startIntakeThread(o: IntakeThreadOptions): Promise<IntakeThread> {
  const peerToken = randomBytes(24).toString('base64url');
  const untrust = trustPeerToken(peerToken);
  const data: IntakeWorkerData = {
    storeUrl: o.storeUrl,
    storeOptions: o.storeOptions,
    host: o.host,
    port: o.port,
    tgWebhookSecret: o.tgWebhookSecret,
    clickUpWebhookSecret: o.clickUpWebhookSecret,
    bodyLimitBytes: o.bodyLimitBytes,
    bodyLimitBytesBySource: o.bodyLimitBytesBySource,
    backendUrl: o.backendUrl,
    peerToken,
  };
  // Compiled (dist/, `npm run build`): the worker's own compiled module. From the sources: intakeWorker.mjs, which
  // registers its own TypeScript loader (execArgv []: the parent's, if any, is not inherited twice).
  const entry = import.meta.url.endsWith('.js') ? './intakeWorker.js' : './intakeWorker.mjs';
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: data, execArgv: [] });
  let stopped: (() => void) | null = null;
  const delayAsked: Array<(d: { p99Ms: number; maxMs: number }) => void> = [];
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  return new Promise<IntakeThread>((resolve, reject) => {
    let listening = false;
    const fail = (e: Error) => {
      untrust();
      void worker.terminate();
      reject(e);
    };
    worker.on('error', (e) => {
      if (!listening) fail(e);
      else o.onError({ message: e.stack ?? String(e), method: '-', path: '-' });
    });
    worker.once('exit', (code) => {
      if (!listening) fail(new Error(`the intake thread exited (${code}) before it listened`));
    });
    worker.on('message', (m: IntakeToMain) => {
      switch (m.t) {
        case 'accepted':
          o.onAccepted();
          break;
        case 'clickup-failed':
          o.onClickUpAnswerFailed();
          break;
        case 'error':
          o.onError(m);
          break;
        case 'loop-delay':
          for (const r of delayAsked.splice(0)) r({ p99Ms: m.p99Ms, maxMs: m.maxMs });
          break;
        case 'stopped':
          stopped?.();
          break;
        case 'listen-failed':
          fail(new IntakeListenError(m.message, m.code ?? undefined));
          break;
        case 'listening':
          listening = true;
          resolve({
            url: m.url,
            loopDelay: () =>
              new Promise((r) => {
                // A thread that is gone or stuck must not hold a scrape.
                const t = setTimeout(() => r(null), 1000);
                const answer = (d: { p99Ms: number; maxMs: number }) => {
                  clearTimeout(t);
                  r(d);
                };
                if (delayAsked.push(answer) === 1) worker.postMessage({ t: 'loop-delay' } satisfies IntakeFromMain);
              }),
            setClickUpSecret: (secret) => worker.postMessage({ t: 'clickup-secret', secret } satisfies IntakeFromMain),
            stop: async () => {
              const done = new Promise<void>((r) => (stopped = r));
              worker.postMessage({ t: 'stop' } satisfies IntakeFromMain);
              // A thread that does not wind down in 10 s is ended: its requests in flight were not answered anyway.
              const t = setTimeout(() => void worker.terminate(), 10_000);
              await Promise.race([done.then(() => exited), exited]);
              clearTimeout(t);
              untrust();
            },
          });
          break;
      }
    });
  });
}
