import { randomUUID, createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Logger } from 'pino';
import type { ScaledClock } from '../shared/clock.ts';
import type { ClickUpFaults } from '../shared/faults.ts';
import type { ClickUpState, TaskRec, WebhookRec } from './state.ts';

/** One change, as it appears in a delivery's history_items. */
export interface HistoryItem {
  id: string;
  type: number;
  date: string;
  field: string;
  parent_id: string;
  data: Record<string, unknown>;
  source: null;
  user: unknown;
  before: unknown;
  after: unknown;
  [extra: string]: unknown;
}

export interface DeliveryRecord {
  webhookId: string;
  event: string;
  taskId: string | undefined;
  attempt: number;
  status: number | 'error' | 'timeout';
  at: number;
  duplicate: boolean;
}

export interface DeliveryOptions {
  /** An answer slower than this is a failed attempt. */
  timeoutMs: number;
  /** Attempts per event; after the last failed one the event is dropped for good and fail_count grows by one. */
  attempts: number;
  retryDelayMs: number;
  /** fail_count at which health.status becomes `failing`, then `suspended` (no more deliveries). */
  failingAfter: number;
  suspendAfter: number;
}

/**
 * ClickUp's numbers (https://developer.clickup.com/docs/webhookhealth): a delivery fails on an unsuccessful
 * status or when it takes longer than 7 seconds; each event is tried up to five times, then fail_count
 * grows by one and the event is not sent again; fail_count 100 suspends the webhook (a 410 at once); the
 * next success makes it active with fail_count 0. The delay between tries is not documented.
 */
export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 7_000,
  attempts: 5,
  retryDelayMs: 1_000,
  failingAfter: 1,
  suspendAfter: 100,
};

let histSeq = BigInt('2800763136717140000');

export function historyItem(
  task: TaskRec,
  field: string,
  user: unknown,
  before: unknown,
  after: unknown,
  now: number,
  extra: Record<string, unknown> = {},
): HistoryItem {
  histSeq += 1n;
  return {
    id: String(histSeq),
    type: 1,
    date: String(now),
    field,
    parent_id: task.listId,
    data: {},
    source: null,
    user,
    before,
    after,
    ...extra,
  };
}

/**
 * Signed, asynchronous, at-least-once webhook deliveries with retries and health tracking, plus the
 * duplicate / reorder / failing fault knobs. Never blocks the API request that caused the event.
 */
export class WebhookDeliverer {
  readonly log: DeliveryRecord[] = [];
  private pending = 0;
  private idle: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly state: ClickUpState,
    private readonly clock: ScaledClock,
    private readonly faults: () => ClickUpFaults,
    private readonly opts: DeliveryOptions,
    private readonly random: () => number,
    private readonly logger?: Logger,
  ) {}

  /** Queues `event` for every webhook whose scope and event list match the task. */
  emit(event: string, task: TaskRec, items: HistoryItem[]): void {
    if (this.closed || this.state.webhooks.size === 0) return;
    const list = this.state.lists.get(task.listId);
    for (const w of this.state.webhooks.values()) {
      if (w.health.status === 'suspended') continue;
      if (!(w.events.includes('*') || w.events.includes(event))) continue;
      if (w.task_id && w.task_id !== task.id) continue;
      if (w.list_id && w.list_id !== task.listId) continue;
      if (w.folder_id && w.folder_id !== list?.folderId) continue;
      if (w.space_id && w.space_id !== list?.spaceId) continue;
      const body = JSON.stringify({ event, history_items: items, task_id: task.id, webhook_id: w.id });
      this.schedule(w, event, task.id, body);
    }
  }

  private schedule(w: WebhookRec, event: string, taskId: string, body: string): void {
    const f = this.faults();
    const hold =
      f.webhookReorderRate > 0 && this.random() < f.webhookReorderRate ? this.random() * f.webhookReorderMaxMs : 0;
    const dup = f.webhookDuplicateRate > 0 && this.random() < f.webhookDuplicateRate;
    this.track(this.deliver(w, event, taskId, body, hold, false));
    if (dup) this.track(this.deliver(w, event, taskId, body, hold + this.random() * 50, true));
  }

  private track(p: Promise<void>): void {
    this.pending++;
    void p.finally(() => {
      if (--this.pending === 0) for (const r of this.idle.splice(0)) r();
    });
  }

  /** Resolves when no delivery is queued or in flight. */
  settled(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }

  private async deliver(
    w: WebhookRec,
    event: string,
    taskId: string,
    body: string,
    holdMs: number,
    duplicate: boolean,
  ): Promise<void> {
    if (holdMs > 0) await this.clock.sleep(holdMs);
    for (let attempt = 1; attempt <= this.opts.attempts && !this.closed; attempt++) {
      const status = await this.post(w, body);
      this.log.push({ webhookId: w.id, event, taskId, attempt, status, at: this.clock.now(), duplicate });
      if (typeof status === 'number' && status >= 200 && status < 300) {
        w.health = { status: 'active', fail_count: 0 };
        return;
      }
      if (status === 410) {
        w.health = { status: 'suspended', fail_count: w.health.fail_count + 1 };
        return;
      }
      if (attempt < this.opts.attempts) await this.clock.sleep(this.opts.retryDelayMs * attempt);
    }
    const fails = w.health.fail_count + 1;
    w.health = {
      status:
        fails >= this.opts.suspendAfter ? 'suspended' : fails >= this.opts.failingAfter ? 'failing' : w.health.status,
      fail_count: fails,
    };
    this.logger?.debug({ webhook: w.id, health: w.health }, 'sandbox webhook delivery failed');
  }

  private async post(w: WebhookRec, body: string): Promise<number | 'error' | 'timeout'> {
    if (this.faults().webhookFailing) return 'error';
    const signature = createHmac('sha256', w.secret).update(body).digest('hex');
    const limit = Math.max(50, this.clock.toReal(this.opts.timeoutMs));
    const started = performance.now();
    try {
      const res = await request(w.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signature, 'user-agent': 'ClickUp-Sandbox/1.0' },
        body,
        headersTimeout: limit,
        bodyTimeout: limit,
      });
      await res.body.dump();
      // undici's timers are coarse below a second: the 7-second rule is measured here as well.
      if (performance.now() - started > limit) return 'timeout';
      return res.statusCode;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      return code.includes('TIMEOUT') ? 'timeout' : 'error';
    }
  }

  close(): void {
    this.closed = true;
  }
}

export function newWebhookSecret(): string {
  return randomUUID().replace(/-/g, '').toUpperCase() + randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase();
}
