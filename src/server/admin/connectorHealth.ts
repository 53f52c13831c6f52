import type { ClickUpClient, RateLimitState } from '../../connectors/clickup/index.ts';
import type { Store } from '../../store/db.ts';
import { dueBacklog } from '../../store/ops/summarizeQueue.ts';
import type { MappingSection } from '../../config/mappingSchema.ts';
import { tokenOwnerVerdict, type TokenOwnerVerdict } from '../../sync/tokenOwner.ts';

export interface HealthSample {
  at: number;
  limit: number | null;
  remaining: number | null;
  queued: number;
  inFlight: number;
  rateLimited: number;
  issued: number;
  queueDue: number;
  oldestDueAgeMs: number;
}

export interface WebhookStatus {
  checkedAt: number;
  ok: boolean;
  detail: string;
  webhooks: Array<{ id: string; endpoint: string; status: string; failCount: number }>;
}

/**
 * Samples the ClickUp budget and the queue every `everyMs` into a ring (the console's "over time"
 * charts cover the last hour), and checks the ClickUp webhook at most once a minute (one call).
 */
export class ConnectorHealth {
  readonly samples: HealthSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private webhook: WebhookStatus | null = null;
  private webhookPending: Promise<WebhookStatus> | null = null;

  constructor(
    private readonly o: {
      store: Store;
      clickup: ClickUpClient;
      teamId: string;
      publicUrl?: string;
      now: () => number;
      everyMs?: number;
      keep?: number;
      mapping?: MappingSection;
    },
  ) {}

  private owner: Promise<(TokenOwnerVerdict & { user: string }) | null> | null = null;

  /** Whose changes are taken for the bridge's own (read once: GET /v2/user); null when it cannot be read. */
  tokenOwner(): Promise<(TokenOwnerVerdict & { user: string }) | null> {
    const mapping = this.o.mapping;
    if (!mapping) return Promise.resolve(null);
    this.owner ??= Promise.resolve()
      .then(() => this.o.clickup.getAuthorizedUser())
      .then(
        (me) => {
          if (!me.ok) {
            this.owner = null; // read again next time
            return null;
          }
          return {
            ...tokenOwnerVerdict(me.value, mapping),
            user: me.value.email ?? me.value.username ?? String(me.value.id),
          };
        },
        () => {
          this.owner = null;
          return null;
        },
      );
    return this.owner;
  }

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.o.everyMs ?? 15_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  rateLimit(): RateLimitState {
    return this.o.clickup.rateLimitState();
  }

  async sample(): Promise<HealthSample | null> {
    try {
      const now = this.o.now();
      const rl = this.o.clickup.rateLimitState();
      // Only the due backlog: this runs every 15 s on the loop that answers webhooks, and the full summary's
      // count by kind read every unfinished job (an event-loop block of 7-19 ms at a 20,000-job backlog).
      const q = await dueBacklog(this.o.store.db, now);
      const s: HealthSample = {
        at: now,
        limit: rl.limit,
        remaining: rl.remaining,
        queued: rl.queued,
        inFlight: rl.inFlight,
        rateLimited: rl.rateLimited,
        issued: rl.issued,
        queueDue: q.due,
        oldestDueAgeMs: q.oldestDueAgeMs,
      };
      this.samples.push(s);
      if (this.samples.length > (this.o.keep ?? 240)) this.samples.shift();
      return s;
    } catch {
      return null; // the store closing under us at shutdown
    }
  }

  /** Our ClickUp webhook(s) as ClickUp reports them; cached for a minute. */
  async webhookStatus(): Promise<WebhookStatus> {
    const now = this.o.now();
    if (this.webhook && now - this.webhook.checkedAt < 60_000) return this.webhook;
    this.webhookPending ??= this.checkWebhook(now).finally(() => {
      this.webhookPending = null;
    });
    this.webhook = await this.webhookPending;
    return this.webhook;
  }

  private async checkWebhook(now: number): Promise<WebhookStatus> {
    const r = await this.o.clickup.listWebhooks(this.o.teamId);
    if (!r.ok)
      return { checkedAt: now, ok: false, detail: `cannot list ClickUp webhooks: ${r.error.detail}`, webhooks: [] };
    const want = this.o.publicUrl ? `${this.o.publicUrl.replace(/\/+$/, '')}/webhooks/clickup` : null;
    const ours = r.value.filter((w) => (want ? w.endpoint === want : w.endpoint.endsWith('/webhooks/clickup')));
    const webhooks = ours.map((w) => ({
      id: w.id,
      endpoint: w.endpoint,
      status: w.health?.status ?? 'unknown',
      failCount: Number(w.health?.fail_count ?? 0),
    }));
    if (webhooks.length === 0)
      return {
        checkedAt: now,
        ok: false,
        detail: want
          ? `no ClickUp webhook points at ${want}`
          : 'no ClickUp webhook points at this bridge (/webhooks/clickup); set server.public_url',
        webhooks,
      };
    const bad = webhooks.filter((w) => w.status !== 'active');
    return {
      checkedAt: now,
      ok: bad.length === 0,
      detail: bad.length
        ? `${bad.length} webhook(s) not active: ${bad.map((w) => `${w.id} ${w.status} (${w.failCount} failures)`).join(', ')}`
        : 'active',
      webhooks,
    };
  }
}
