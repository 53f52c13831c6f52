import type { Client as PgClient, ClientConfig } from 'pg';

type ClientCtor = new (config: ClientConfig) => PgClient;

/** Advisory-lock key of the leader (two int4s: 'grbd' and the role), shared by every instance on the database. */
export const LEADER_LOCK = { classId: 0x67726264, objId: 1 } as const;

export interface LeadershipEvents {
  /** This instance just became the leader (runs schedules, owns the ClickUp webhook). */
  onGain(): void | Promise<void>;
  /** It lost the lock (connection dropped or stopped answering): stop leader-only work now. */
  onLose(): void;
}

export interface Leadership {
  isLeader(): boolean;
  /** Release the lock (if held) and stop trying. */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  /** How often a follower tries the lock and the leader checks its connection (default 2 s). */
  checkMs?: number;
  /**
   * How long the leader's check (and a follower's try) may take before the database counts as gone and
   * the leader steps down. Default: 5 s, or three beats when that is longer. Not the beat itself: one
   * slow `SELECT 1` on a busy server must not demote a healthy leader.
   */
  queryTimeoutMs?: number;
}

/**
 * One leader among the instances sharing a PostgreSQL database, held as a session advisory lock on a
 * dedicated connection. PostgreSQL releases the lock when that session ends, so a leader killed with
 * SIGKILL (or cut off) is replaced within one check by the first follower that tries. The leader checks
 * its own connection on the same beat and steps down when it fails or does not answer within
 * `queryTimeoutMs`.
 *
 * Leadership saves repeated work, it does not guard correctness: during a partition an old leader may
 * act for up to a beat plus the query timeout after a new one took over, so everything a leader does stays idempotent
 * (scheduled jobs are keyed by slot, webhook registration reuses the existing one).
 */
export async function holdLeadership(
  Client: ClientCtor,
  url: string,
  events: LeadershipEvents,
  opts: LeadershipOptions = {},
): Promise<Leadership> {
  const checkMs = opts.checkMs ?? 2_000;
  const queryTimeoutMs = opts.queryTimeoutMs ?? Math.max(5_000, 3 * checkMs);
  let client: PgClient | null = null;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let beat: Promise<void> = Promise.resolve();

  const drop = () => {
    const c = client;
    client = null;
    if (c) void c.end().catch(() => undefined);
    if (leader) {
      leader = false;
      events.onLose();
    }
  };

  const connect = async (): Promise<PgClient> => {
    // query_timeout: a leader whose database stops answering notices within that time (plus a beat).
    const c = new Client({
      connectionString: url,
      query_timeout: queryTimeoutMs,
      connectionTimeoutMillis: queryTimeoutMs,
      keepAlive: true,
    });
    c.on('error', () => {
      if (client === c) drop();
    });
    await c.connect();
    return c;
  };

  const tick = async () => {
    if (stopped) return;
    try {
      client ??= await connect();
      if (leader) {
        await client.query('SELECT 1');
        return;
      }
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        LEADER_LOCK.classId,
        LEADER_LOCK.objId,
      ]);
      if (r.rows[0]?.ok && !stopped) {
        leader = true;
        await events.onGain();
      }
    } catch {
      drop();
    }
  };

  const loop = () => {
    timer = setTimeout(() => {
      beat = tick().finally(() => {
        if (!stopped) loop();
      });
    }, checkMs);
    timer.unref();
  };

  beat = tick();
  await beat;
  loop();
  return {
    isLeader: () => leader,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await beat.catch(() => undefined);
      const c = client;
      client = null;
      leader = false;
      // Ending the session releases the lock at once, so a follower takes over on its next beat.
      await c?.end().catch(() => undefined);
    },
  };
}
