/** An effect a group flow asks for: it becomes one outbox job, deduplicated by `key`. */
export interface FlowJob {
  kind: string;
  /** Idempotency key: the same effect asked twice is one job. */
  key: string;
  /** Jobs of one entity run one at a time. */
  queueKey: string;
  payload: Record<string, unknown>;
  runAt?: number;
}
