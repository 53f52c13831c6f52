import type { Command } from 'commander';
import { request } from 'undici';
import { listAppliedMigrations } from '../../store/ops/appliedMigrations.ts';
import pino from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { loadConfigFile, resolveSecrets, type ResolvedSecrets, type SecretSource } from '../../config/load.ts';
import {
  createClickUpClient,
  validateClickUpSetup,
  webhookHealth,
  type ClickUpClient,
} from '../../connectors/clickup/index.ts';
import { tokenOwnerVerdict } from '../../sync/tokenOwner.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import type { TradingGridPort } from '../../connectors/tradinggrid/port.ts';
import { openMigratedStore, openStore, type Store } from '../../store/db.ts';
import { summarizeQueue } from '../../store/ops/summarizeQueue.ts';
import { countTableRows } from '../../store/ops/pruneRetention.ts';
import { listLinksOutside } from '../../store/ops/links.ts';
import { expectedByList, mappingHolds, readMappingHealth } from '../../flows/02-status-sync/mappingHealth.ts';
import { ourListIds } from '../../flows/shared/ourLists.ts';
import { resolveAdminCredentials } from '../../server/admin/credentials.ts';

export interface DoctorLine {
  ok: boolean;
  check: string;
  /** What was found (ok) or what to do (fix). */
  detail: string;
}

export interface DoctorDeps {
  config: GridbridgeConfig;
  secrets: ResolvedSecrets | null;
  secretProblems: string[];
  /** Opened but not migrated: the doctor reports pending migrations instead of applying them. */
  store: Store | null;
  storeError?: string;
  clickup: ClickUpClient | null;
  tg: Pick<TradingGridPort, 'listCases'> | null;
  now: () => number;
  /** Date header of a base URL (clock skew); injectable for tests. */
  remoteDate?: (url: string) => Promise<number | null>;
  secretSource?: SecretSource;
}

const MAX_SKEW_MS = 5_000;

async function dateHeader(url: string): Promise<number | null> {
  const r = await request(url, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
  await r.body.dump();
  const d = r.headers.date;
  const v = Date.parse(Array.isArray(d) ? d[0]! : (d ?? ''));
  return Number.isNaN(v) ? null : v;
}

/** Every check, in order; each one is `ok` with what was found or `fix` with what to do. */
export async function runDoctor(d: DoctorDeps): Promise<DoctorLine[]> {
  const out: DoctorLine[] = [];
  const ok = (check: string, detail: string) => out.push({ ok: true, check, detail });
  const fix = (check: string, detail: string) => out.push({ ok: false, check, detail });
  const c = d.config;

  if (d.secretProblems.length === 0) ok('secrets', 'every secret reference resolves');
  for (const p of d.secretProblems) fix('secrets', p);

  // Store and migrations.
  if (!d.store)
    fix(
      'store',
      `cannot open ${c.store.url}: ${d.storeError ?? 'unknown error'} (check store.url, the folder's permissions, or that PostgreSQL is up)`,
    );
  else {
    try {
      const all = await listMigrationState(d.store);
      const pending = all.filter((m) => m.executedAt === undefined).map((m) => m.name);
      if (pending.length === 0)
        ok('store', `${d.store.dialect} at ${d.store.location}; ${all.length} migrations applied`);
      else
        fix(
          'store',
          `${pending.length} migration(s) not applied (${pending.join(', ')}): start the bridge once (it migrates at start-up)`,
        );
      const q = await summarizeQueue(d.store.db, d.now()).catch(() => null);
      if (q) {
        if (q.deadLettersOpen > 0)
          fix(
            'dead letters',
            `${q.deadLettersOpen} job(s) failed for good: see \`gridbridge dlq list\` or /ui, fix the cause, then \`gridbridge dlq replay --all\``,
          );
        else ok('dead letters', 'none');
        if (q.oldestDueAgeMs > 5 * 60_000)
          fix(
            'queue',
            `${q.due} job(s) due, the oldest waiting ${Math.round(q.oldestDueAgeMs / 60_000)} min: is the bridge running (\`gridbridge start\`)?`,
          );
        else ok('queue', `${q.due} due, ${q.running} running, ${q.waiting} waiting for their held case`);
      }
      // Table sizes: what retention keeps bounded; a count that only grows means the prune job is off or failing.
      const sizes = await countTableRows(d.store.db).catch(() => null);
      if (sizes)
        ok(
          'table sizes',
          `${sizes.map((t) => `${t.table} ${t.rows}`).join(', ')} (retention ${(c as { retention?: { enabled: boolean } }).retention?.enabled === false ? 'off' : 'on'}: see retention.* in the configuration)`,
        );
      // A linked task a person moved out of our lists pauses its case: say which, and how to resume.
      const outside = await listLinksOutside(d.store.db, [...ourListIds(c)]).catch(() => null);
      if (outside && outside.length > 0)
        fix(
          'moved tasks',
          `${outside.length} linked task(s) moved out of our lists, syncing paused (nothing reaches the partner): ${outside
            .slice(0, 5)
            .map((l) => `${l.entity} ${l.entityId} (task ${l.cuTaskId}, now in list ${l.cuListId})`)
            .join('; ')}${outside.length > 5 ? '; …' : ''}. Move them back to a list of ours to resume`,
        );
      else if (outside) ok('moved tasks', 'every linked task is in one of our lists');
      // What the running bridge's last health check found renamed in ClickUp, and the changes it holds.
      const mh = await readMappingHealth(d.store.db).catch(() => null);
      const holds = await mappingHolds(d.store.db).catch(() => []);
      const heldN = holds.filter((h) => h.kind === 'list').reduce((n, x) => n + x.n, 0);
      const unmapped = holds.filter((h) => h.kind === 'unmapped_status');
      const wanted = [...expectedByList(c).keys()];
      const unread = mh ? wanted.filter((l) => !mh.checked[l]) : [];
      const problems = (mh?.drift.length ?? 0) > 0 || heldN > 0 || unmapped.length > 0;
      if (mh && (mh.drift.length > 0 || heldN > 0))
        fix(
          'mapping at run time',
          `${heldN} change(s) held until the mapping fits the lists again (sent once it does, at the next health check): ${
            mh.drift.map((x) => x.reason).join('; ') || 'the last check found the lists right; the next one sends them'
          }`,
        );
      if (unmapped.length > 0)
        fix(
          'unmapped ClickUp statuses',
          `${unmapped.reduce((n, x) => n + x.n, 0)} case status change(s) held, to ClickUp statuses clickup.status_map does not name: ${unmapped
            .map((u) => `"${u.name}" (${u.n})`)
            .join(
              ', ',
            )}. Add each to clickup.status_map and restart (the first check after start-up sends them), or drop them: \`gridbridge held drop --actor "<actor>"\` (\`gridbridge held list\` shows it) or the console's Held page`,
        );
      if (mh && Object.keys(mh.checked).length === 0)
        (problems ? fix : ok)(
          'mapping at run time',
          `not checked yet: the running bridge reads ${wanted.length} list(s) against the mapping at start-up and at each clickup.webhook.health_cron, with or without webhook registration (it needs only to read the lists and their fields). If the bridge has been running for a minute, its token cannot read them: see its log ("could not check the case lists against the mapping")`,
        );
      else if (unread.length > 0)
        fix(
          'mapping at run time',
          `list(s) ${unread.join(', ')} never read by the mapping check: the bridge's token cannot read them (GET /list/{id}, /list/{id}/field), or the bridge has not run since the config named them`,
        );
      else if (mh && !problems)
        ok(
          'mapping at run time',
          `the last health check found every mapped status, field and option on ${wanted.length} list(s); nothing held`,
        );
    } catch (e) {
      fix('store', `cannot read ${d.store.location}: ${(e as Error).message}`);
    }
  }

  // ClickUp: token, lists, statuses, custom fields, webhook.
  if (d.clickup) {
    const lists = [
      ...new Set([
        c.clickup.list_id,
        ...Object.values(c.partners.map)
          .map((m) => m.list_id)
          .filter((x): x is string => !!x),
      ]),
    ];
    const statuses = Object.keys((c.clickup as { status_map?: Record<string, string> }).status_map ?? {});
    const fieldNames = Object.values(c.clickup.fields).filter(
      (x): x is string => typeof x === 'string' && x.length > 0,
    );
    // The token first: a refused token (any 401 but OAUTH_027) is the token's fault; an id it cannot reach
    // (401 OAUTH_027) is the list's, and says so on that list's line.
    const me = await d.clickup.getAuthorizedUser();
    let tokenOk = me.ok;
    if (!me.ok) {
      const ecode = /OAUTH_\d+/.exec(me.error.detail)?.[0];
      if (me.error.code === 'clickup:token_refused' || me.error.status === 401 || me.error.status === 403)
        fix(
          'clickup token',
          `ClickUp refused the token (${ecode ?? me.error.status ?? me.error.code}): put a valid personal token (pk_…) where clickup.token points`,
        );
      else fix('clickup token', `cannot check the token: ${me.error.detail}`);
    }
    for (const listId of tokenOk ? lists : []) {
      const r = await validateClickUpSetup(d.clickup, { listId, statuses, fieldNames });
      if (r.ok) {
        ok(
          `clickup list ${listId}`,
          `"${r.value.list.name}": ${statuses.length} statuses and ${fieldNames.length} custom fields found`,
        );
      } else if (r.error.code === 'clickup:token_refused') {
        tokenOk = false;
        fix('clickup token', `ClickUp refused the token: ${r.error.detail}`);
        break;
      } else if (r.error.code === 'clickup:cannot_see') {
        fix(
          `clickup list ${listId}`,
          `the token${me.ok ? ` (user ${me.value.username ?? me.value.id})` : ''} cannot see list ${listId} (OAUTH_027 Team not authorized): check the list id in the configuration, or share the list's Space with that user`,
        );
      } else {
        for (const p of r.error.problems)
          fix(
            `clickup list ${listId}`,
            p.includes('status')
              ? `${p}: add the status on the list or change clickup.status_map`
              : p.includes('field')
                ? `${p}: add it on the list or change clickup.fields`
                : p,
          );
      }
    }
    if (tokenOk && me.ok) {
      ok(
        'clickup token',
        `accepted; acts as ${me.value.username ?? me.value.id}${me.value.email ? ` <${me.value.email}>` : ''}`,
      );
      const owner = tokenOwnerVerdict(me.value, c.mapping);
      (owner.ok ? ok : fix)('clickup token owner', owner.detail);
    }
    if (!c.clickup.webhook.register)
      ok('clickup webhook', 'registration is off (clickup.webhook.register: false); changes arrive by polling only');
    else if (!c.server.public_url)
      fix(
        'clickup webhook',
        'set server.public_url to the https URL ClickUp can reach this bridge at; without it ClickUp cannot deliver task changes',
      );
    else if (tokenOk) {
      const endpoint = `${c.server.public_url.replace(/\/+$/, '')}/webhooks/clickup`;
      const h = await webhookHealth(d.clickup, { teamId: c.clickup.team_id, endpoint, events: ['*'] });
      if (!h.ok) fix('clickup webhook', `cannot list webhooks: ${h.error.detail}`);
      else if (!h.value)
        fix('clickup webhook', `none points at ${endpoint}: start the bridge (it registers the webhook at start-up)`);
      else if (h.value.status !== 'active')
        fix(
          'clickup webhook',
          `${h.value.id} is ${h.value.status} after ${h.value.fail_count} failed deliveries: check ${endpoint} is reachable from the internet, then restart the bridge (it re-enables the webhook)`,
        );
      else ok('clickup webhook', `${h.value.id} active at ${endpoint}`);
    }
  }

  // Trading Grid.
  if (c.tradinggrid.driver === 'mailbox')
    ok(
      'trading grid',
      'EDI only (tradinggrid.driver: mailbox): no community API to check; the mailbox is checked by its scan',
    );
  else if (d.tg) {
    const r = await d.tg.listCases({ limit: 1 });
    if (r.ok) ok('trading grid', `credentials accepted; ${r.value.totalCount} case(s) visible`);
    else if (r.error.status === 401 || r.error.status === 403)
      fix(
        'trading grid',
        `credentials refused (${r.error.status}): check tradinggrid.client_id and the secret tradinggrid.client_secret points at`,
      );
    else
      fix(
        'trading grid',
        `cannot reach ${c.tradinggrid.driver === 'community' ? c.tradinggrid.base_url : 'the community API'}: ${r.error.detail}`,
      );
  }

  // Clock skew against both remotes (Date headers have one-second resolution).
  const remoteDate = d.remoteDate ?? dateHeader;
  const remotes: Array<readonly [string, string]> = [
    ['clickup', c.clickup.base_url],
    ...(c.tradinggrid.driver === 'community' ? [['trading grid', c.tradinggrid.base_url] as const] : []),
  ];
  for (const [name, url] of remotes) {
    try {
      const before = d.now();
      const remote = await remoteDate(url);
      const local = (before + d.now()) / 2;
      if (remote === null) ok(`clock vs ${name}`, 'no Date header to compare with');
      else {
        const skew = local - remote;
        if (Math.abs(skew) > MAX_SKEW_MS + 1000)
          fix(
            `clock vs ${name}`,
            `this machine is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} ${url}: synchronise the clock (NTP); webhook signatures and SLA due dates depend on it`,
          );
        else ok(`clock vs ${name}`, `within ${Math.max(1, Math.round(Math.abs(skew) / 1000))} s`);
      }
    } catch (e) {
      fix(`clock vs ${name}`, `cannot reach ${url}: ${(e as Error).message}`);
    }
  }

  // Console sign-in.
  const admin = resolveAdminCredentials(c.admin, d.secretSource);
  for (const p of admin.problems) fix('console sign-in', p);
  const n = admin.credentials.tokens.length + admin.credentials.users.length;
  if (n === 0 && admin.problems.length === 0)
    fix(
      'console sign-in',
      'no admin.tokens or admin.users: the console at /ui is locked; add a token ({name, token: {env: …}}) or a user with `gridbridge admin hash-password`',
    );
  else if (n > 0)
    ok('console sign-in', `${admin.credentials.tokens.length} token(s), ${admin.credentials.users.length} user(s)`);
  return out;
}

async function appliedMigrations(store: Store): Promise<Map<string, Date>> {
  try {
    const rows = await listAppliedMigrations(store.db);
    return new Map(rows.map((r) => [r.name, new Date(r.timestamp)]));
  } catch {
    return new Map(); // no bookkeeping table: nothing applied yet
  }
}

/**
 * Applied migrations against the ones this build registers, without applying anything to the real
 * store: the registered list is read back from a throwaway in-memory store migrated the normal way.
 */
async function listMigrationState(store: Store): Promise<Array<{ name: string; executedAt?: Date }>> {
  const scratch = await openMigratedStore('sqlite::memory:');
  try {
    const registered = [...(await appliedMigrations(scratch)).keys()].sort();
    const applied = await appliedMigrations(store);
    return registered.map((name) => ({ name, executedAt: applied.get(name) }));
  } finally {
    await scratch.close();
  }
}

export function formatDoctor(lines: DoctorLine[]): string {
  const w = Math.max(...lines.map((l) => l.check.length));
  return lines.map((l) => `${l.ok ? 'ok ' : 'fix'}  ${l.check.padEnd(w)}  ${l.detail}`).join('\n') + '\n';
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check tokens, lists, statuses, custom fields, webhook health, store and migrations, clock skew; each line ok or fix',
    )
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .action(async (opts: { config: string }) => {
      const r = loadConfigFile(opts.config);
      if (!r.ok) {
        for (const p of r.problems)
          process.stdout.write(`fix  config  ${opts.config}: ${p.path || '(file)'}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      const config = r.config;
      const s = resolveSecrets(config);
      const secrets = s.ok ? s.secrets : null;
      const logger = pino({ level: 'silent' });
      let store: Store | null = null;
      let storeError: string | undefined;
      try {
        store = await openStore(config.store.url);
      } catch (e) {
        storeError = (e as Error).message;
      }
      const clickup = secrets
        ? createClickUpClient({
            baseUrl: config.clickup.base_url,
            token: secrets.clickupToken,
            teamId: config.clickup.team_id,
            logger,
            retry: { maxAttempts: 2 },
          })
        : null;
      const tg = secrets ? communityDriverFor(config, secrets, { logger, retries: 0 }) : null;
      try {
        const lines = await runDoctor({
          config,
          secrets,
          secretProblems: s.ok ? [] : s.problems.map((p) => `${p.path}: ${p.message}`),
          store,
          storeError,
          clickup,
          tg,
          now: Date.now,
        });
        process.stdout.write(
          formatDoctor([{ ok: true, check: 'config', detail: `${opts.config} is valid` }, ...lines]),
        );
        if (lines.some((l) => !l.ok)) process.exitCode = 1;
      } finally {
        await Promise.allSettled([clickup?.close(), tg?.close()]);
        await store?.close();
      }
    });
}
