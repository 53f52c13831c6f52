import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { startBridgeProcess, type BridgeProcess } from '../helpers/bridgeProcess.ts';
import { openStore } from '../../src/store/db.ts';

/**
 * Chaos on one SQLite instance: sandbox faults on both sides (5xx, connection resets, duplicate,
 * reordered and dropped webhooks), the bridge killed with SIGKILL at random moments and restarted,
 * people moving tasks meanwhile. Afterwards: one task per case, every partner file exactly once on the
 * task, every status converged, and no dead letter.
 */
const CASES = Number(process.env.CHAOS_CASES ?? 150);
const KILLS = Number(process.env.CHAOS_KILLS ?? 4);

let world: World | null = null;
let proc: BridgeProcess | null = null;
afterEach(async () => {
  await proc?.stop().catch(() => undefined);
  await world?.close();
  world = null;
  proc = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos (SQLite, one instance killed and restarted)', () => {
  it(`${CASES} cases through faults and ${KILLS} kill -9s end consistent`, async () => {
    world = await createWorld({
      // 429s are left to the limiter's own tests (time-scaled): the bridge here is a separate process on
      // the real clock, where each 429 correctly waits for the window's reset (up to a minute).
      cu: { faults: { rate5xx: 0.1, resetRate: 0.02, webhookDuplicateRate: 0.2, webhookReorderRate: 0.2, webhookReorderMaxMs: 300 } },
      tg: { faults: { errorRate: 0.1, duplicateEventRate: 0.2, reorderEventRate: 0.2, reorderMaxDelayMs: 300, dropEventRate: 0.05 }, webhook: { maxAttempts: 40, retryMaxMs: 1000 } },
    });
    const w = world;
    // Fast schedules so webhook health and the Trading Grid poll run during the test.
    const cfg = { ...w.config, log_level: 'info' as const, tradinggrid: { ...w.config.tradinggrid, poll_cron: '*/2 * * * * *' }, clickup: { ...w.config.clickup, webhook: { ...w.config.clickup.webhook, health_cron: '*/2 * * * * *' } }, dispatcher: { ...w.config.dispatcher, backoff_base_ms: 50, backoff_max_ms: 1000, max_attempts: 60, lease_ms: 5000 } };
    let restarts = 0;
    const boot = async () => {
      proc = await startBridgeProcess(w.dir, cfg, w.secrets, `chaos-${restarts++}`);
      w.tg.setWebhookUrl(`${proc.url}/webhooks/tradinggrid`);
    };
    await boot();
    const ids: string[] = [];
    const raising = (async () => {
      for (let i = 0; i < CASES; i++) {
        const c = await w.tg.raiseCase({
          partnerId: ['P-ACME', 'P-GLOBEX', 'P-INITECH'][i % 3]!,
          kind: 'dispute',
          title: `chaos ${i}`,
          ...(i % 3 === 0 ? { documents: [{ name: `evidence-${i}.pdf`, kind: 'claim_evidence' as const, contentType: 'application/pdf', content: Buffer.from(`%PDF ${i}`) }] } : {}),
        });
        ids.push(c.id);
        if (i % 10 === 0) await sleep(20);
      }
    })();
    const moved = new Map<string, string>();
    const killing = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(800 + Math.random() * 1500);
        await proc!.kill9();
        await sleep(200 + Math.random() * 300);
        await boot();
        // People keep working: move a few tasks that exist.
        for (const t of w.cu.tasks().slice(0, 5)) {
          const st = k % 2 ? 'in review' : 'awaiting documents';
          try {
            w.cu.moveStatus(String(t.id), st);
            moved.set(String(t.id), st);
          } catch {
            /* a task may be mid-change; fine */
          }
        }
      }
    })();
    await Promise.all([raising, killing]);

    // Calm down: faults off, let every retry and redelivery land.
    w.cu.setFaults({ rate5xx: 0, resetRate: 0, webhookDuplicateRate: 0, webhookReorderRate: 0 });
    w.tg.setFaults({ errorRate: 0, duplicateEventRate: 0, reorderEventRate: 0, dropEventRate: 0 });
    const taskOf = (caseId: string) => w.cu.tasks().filter((t) => ((t as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === caseId));
    try {
      await eventually('a task for every case', () => ids.every((id) => taskOf(id).length >= 1), 90_000);
    } catch (e) {
      const missing = ids.filter((id) => taskOf(id).length === 0);
      const s = await openStore(w.storeUrl);
      try {
        const id = missing[0]!;
        const jobs = await s.db.selectFrom('jobs').select(['kind', 'key', 'state', 'attempts', 'run_at', 'last_error']).where((eb) => eb.or([eb('queue_key', '=', `case:${id}`), eb('key', 'like', `%${id}%`)])).execute();
        const inbound = await s.db.selectFrom('inbound_events').select(['event_id', 'type']).where('payload', 'like', `%${id}%`).execute();
        const rec = await s.db.selectFrom('cases').select(['state', 'hold_reason']).where('id', '=', id).executeTakeFirst();
        throw new Error(`${missing.length} cases without a task, e.g. ${id}: case ${JSON.stringify(rec)}; jobs ${JSON.stringify(jobs)}; inbound ${JSON.stringify(inbound)}; TG undelivered ${w.tg.state().undelivered.filter((x) => JSON.stringify(x).includes(id)).length}; output tail: ${proc?.output().slice(-1500)}`);
      } finally {
        await s.close();
      }
    }
    await eventually('every partner file attached', () => ids.every((id, i) => i % 3 !== 0 || ((taskOf(id)[0] as any)?.attachments ?? []).length >= 1), 60_000);
    await eventually('the queue drained', async () => {
      const s = await openStore(w.storeUrl);
      try {
        const busy = await s.db.selectFrom('jobs').select('id').where('state', 'in', ['ready', 'running']).where('kind', 'not in', ['tradinggrid.poll', 'clickup.webhook_health']).execute();
        return busy.length === 0;
      } finally {
        await s.close();
      }
    }, 60_000);
    await Promise.all([w.cu.webhooksSettled(), w.tg.idle()]);
    await sleep(1500);

    // Invariants.
    for (const [i, id] of ids.entries()) {
      const tasks = taskOf(id);
      expect(tasks, `case ${id}`).toHaveLength(1);
      const files = ((tasks[0] as any).attachments ?? []) as Array<{ title: string }>;
      expect(files.length, `files of ${id}`).toBe(i % 3 === 0 ? 1 : 0);
    }
    // Statuses converged: every task's mapped status is what the partner sees.
    const map: Record<string, string> = { open: 'received', received: 'received', 'in review': 'in_review', 'awaiting documents': 'awaiting_documents', escalated: 'escalated', resolved: 'resolved' };
    for (const id of ids) {
      const t = taskOf(id)[0] as any;
      expect(w.tg.state().cases.get(id)?.status, `status of ${id} (task ${t.id})`).toBe(map[t.status.status]);
    }
    const s = await openStore(w.storeUrl);
    try {
      const dead = await s.db.selectFrom('dead_letters').select(['kind', 'error']).execute();
      expect(dead, JSON.stringify(dead.slice(0, 3))).toEqual([]);
    } finally {
      await s.close();
    }
    process.stdout.write(`chaos: ${ids.length} cases, ${restarts - 1} kill -9s, ${moved.size} tasks moved by people, ClickUp 5xx/resets injected: ${w.cu.stats().injected5xx}/${w.cu.stats().resets}, TG faults: ${w.tg.stats().faultsInjected}\n`);
  }, 300_000);
});
