import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { TradingGridFaults } from '../shared/faults.ts';

export interface SandboxEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: { id: string } & Record<string, unknown>;
}

export interface WebhookStats {
  emitted: number;
  attempts: number;
  delivered: number;
  failedAttempts: number;
  duplicated: number;
  reordered: number;
  dropped: number;
  gaveUp: number;
  pending: number;
}

interface Job {
  event: SandboxEvent;
  body: string;
  attempt: number;
}

export interface WebhookSenderOptions {
  /** `whsec_<base64>`. */
  secret: string;
  url?: string;
  faults: () => TradingGridFaults;
  random: () => number;
  logger?: Logger;
  /** Attempts per event before it is given up (default 12, about a minute of backoff). */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  concurrency?: number;
  timeoutMs?: number;
}

/**
 * At-least-once delivery of signed events to one URL: asynchronous, bounded concurrency, retries
 * with exponential backoff on anything but 2xx, plus the duplicate / reorder / drop faults.
 * Signs with the `standardwebhooks` package (the receiving side verifies with its own code).
 * Events emitted while no URL is set wait in the queue.
 */
export class WebhookSender {
  private url: string | undefined;
  private readonly wh: Webhook;
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  /** FIFO with a head index: Array.shift is O(n) once tens of thousands of events are queued. */
  private queue: Job[] = [];
  private head = 0;
  private inflight = 0;
  private scheduled = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: WebhookStats = {
    emitted: 0,
    attempts: 0,
    delivered: 0,
    failedAttempts: 0,
    duplicated: 0,
    reordered: 0,
    dropped: 0,
    gaveUp: 0,
    pending: 0,
  };
  /** Events given up after maxAttempts (inspect in tests). */
  readonly undelivered: SandboxEvent[] = [];

  constructor(private readonly o: WebhookSenderOptions) {
    this.url = o.url;
    this.wh = new Webhook(o.secret);
  }

  setUrl(url: string | undefined): void {
    this.url = url;
    this.pump();
  }

  send(event: SandboxEvent): void {
    this.stats.emitted++;
    const f = this.o.faults();
    const r = this.o.random;
    if (f.webhookDropRate > 0 && r() < f.webhookDropRate) {
      this.stats.dropped++;
      return;
    }
    const body = JSON.stringify(event);
    const copies = f.webhookDuplicateRate > 0 && r() < f.webhookDuplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const job = { event, body, attempt: 0 };
      if (f.webhookReorderRate > 0 && r() < f.webhookReorderRate) {
        this.stats.reordered++;
        this.later(job, Math.floor(r() * f.webhookReorderMaxMs));
      } else this.queue.push(job);
    }
    this.pump();
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  pendingCount(): number {
    return this.queue.length - this.head + this.inflight + this.scheduled;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue = [];
    this.head = 0;
    await this.agent.destroy();
  }

  private later(job: Job, ms: number): void {
    this.scheduled++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.scheduled--;
      this.queue.push(job);
      this.pump();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 32;
    while (!this.closed && this.url && this.inflight < limit && this.head < this.queue.length) {
      const job = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.inflight++;
      void this.deliver(this.url, job).finally(() => {
        this.inflight--;
        this.pump();
        this.checkIdle();
      });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    this.stats.pending = this.pendingCount();
    if (this.stats.pending === 0 && this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private async deliver(url: string, job: Job): Promise<void> {
    job.attempt++;
    this.stats.attempts++;
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': job.event.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.wh.sign(job.event.id, at, job.body),
    };
    let status = 0;
    try {
      const res = await request(url, {
        method: 'POST',
        headers,
        body: job.body,
        dispatcher: this.agent,
        headersTimeout: this.o.timeoutMs ?? 10_000,
        bodyTimeout: this.o.timeoutMs ?? 10_000,
      });
      status = res.statusCode;
      await res.body.dump();
    } catch (e) {
      this.o.logger?.debug({ err: (e as Error).message, event: job.event.id }, 'tg sandbox webhook delivery failed');
    }
    if (status >= 200 && status < 300) {
      this.stats.delivered++;
      return;
    }
    this.stats.failedAttempts++;
    if (this.closed) return;
    if (job.attempt >= (this.o.maxAttempts ?? 12)) {
      this.stats.gaveUp++;
      this.undelivered.push(job.event);
      this.o.logger?.warn(
        { event: job.event.id, type: job.event.type, status },
        'tg sandbox gave up delivering an event',
      );
      return;
    }
    const base = this.o.retryBaseMs ?? 100;
    const wait = Math.min(this.o.retryMaxMs ?? 5_000, base * 2 ** (job.attempt - 1));
    this.later(job, Math.floor(wait / 2 + this.o.random() * (wait / 2)));
  }
}
