import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../../../test/helpers/world.ts';
import { createClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import { openStore, type Store } from '../../store/db.ts';
import { formatDoctor, runDoctor, type DoctorDeps } from './doctor.ts';

let world: World | null = null;
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await world?.close();
  world = null;
});

async function depsFor(
  w: World,
  over: { token?: string; tgSecret?: string; storeUrl?: string } = {},
): Promise<DoctorDeps> {
  const store: Store = await openStore(over.storeUrl ?? w.storeUrl);
  const clickup = createClickUpClient({
    baseUrl: w.config.clickup.base_url,
    token: over.token ?? w.secrets.clickupToken,
    teamId: w.config.clickup.team_id,
    retry: { maxAttempts: 1 },
  });
  const tg = communityDriverFor(
    w.config,
    { tgClientSecret: over.tgSecret ?? w.secrets.tgClientSecret },
    { retries: 0 },
  )!;
  closers.push(
    () => store.close(),
    () => clickup.close(),
    () => tg.close(),
  );
  return {
    config: w.config,
    secrets: w.secrets,
    secretProblems: [],
    store,
    clickup,
    tg,
    now: Date.now,
    secretSource: { env: { ADMIN_TOKEN: 'a-long-enough-admin-token-123' }, readFile: () => '' },
  };
}

const byCheck = (lines: Awaited<ReturnType<typeof runDoctor>>) => Object.fromEntries(lines.map((l) => [l.check, l]));

describe('gridbridge doctor', () => {
  it('against a healthy set-up every line is ok except what is really missing, each fix says what to do', async () => {
    world = await createWorld();
    const b = await world.startBridge({ manualDispatch: true });
    await b.stop();
    world.bridge = null;
    world.config.admin.tokens = [{ name: 'ops', role: 'admin', token: { env: 'ADMIN_TOKEN' } }];
    const lines = await runDoctor(await depsFor(world));
    const c = byCheck(lines);
    expect(c['store']).toMatchObject({ ok: true });
    expect(c['store']!.detail).toMatch(/migrations applied/);
    expect(c['clickup token']).toMatchObject({ ok: true });
    expect(c[`clickup list ${world.config.clickup.list_id}`]).toMatchObject({ ok: true });
    expect(c['trading grid']).toMatchObject({ ok: true });
    expect(c['clock vs clickup']).toMatchObject({ ok: true });
    expect(c['console sign-in']).toMatchObject({ ok: true });
    expect(c['dead letters']).toMatchObject({ ok: true });
    expect(c['table sizes']).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^jobs \d+, inbound_events \d+, audit_log \d+/),
    });
    // The sandbox config has no public URL: ClickUp could not reach a real bridge.
    expect(c['clickup webhook']).toMatchObject({ ok: false });
    expect(c['clickup webhook']!.detail).toMatch(/set server\.public_url/);
    expect(formatDoctor(lines)).toMatch(/^ok {3}secrets/m);
  });

  it('a refused ClickUp token, refused TG credentials, a missing field, pending migrations, clock skew and no sign-in are each a fix line', async () => {
    world = await createWorld();
    world.config.clickup.fields.partner = 'Partner name (renamed)';
    const deps = await depsFor(world, {
      token: 'pk_wrong',
      tgSecret: 'wrong',
      storeUrl: `sqlite:${world.dir}/never-migrated.db`,
    });
    const lines = await runDoctor({ ...deps, remoteDate: async () => Date.now() - 90_000 });
    const c = byCheck(lines);
    expect(c['clickup token']).toMatchObject({ ok: false });
    expect(c['clickup token']!.detail).toMatch(/refused the token/);
    expect(c['trading grid']!.detail).toMatch(/credentials refused/);
    expect(c['store']!.detail).toMatch(/not applied \(001_initial/);
    expect(c['clock vs clickup']!.detail).toMatch(/90 s ahead/);
    expect(c['console sign-in']!.detail).toMatch(/console at \/ui is locked/);

    const good = await depsFor(world);
    const fields = byCheck(await runDoctor({ ...good, remoteDate: async () => Date.now() }));
    expect(fields[`clickup list ${world.config.clickup.list_id}`]).toMatchObject({ ok: false });
    expect(fields[`clickup list ${world.config.clickup.list_id}`]!.detail).toMatch(
      /custom field "Partner name \(renamed\)" is missing.*change clickup\.fields/,
    );
  });
});

describe('gridbridge doctor tells "the token cannot see list X" from "the token is wrong"', () => {
  it('a list id the token cannot reach (ClickUp answers 401 OAUTH_027) is a fix on that list, the token itself is accepted', async () => {
    world = await createWorld();
    world.config.clickup.list_id = '901599999999';
    const c = byCheck(await runDoctor({ ...(await depsFor(world)), remoteDate: async () => Date.now() }));
    expect(c['clickup token']).toMatchObject({ ok: true });
    expect(c['clickup list 901599999999']).toMatchObject({ ok: false });
    expect(c['clickup list 901599999999']!.detail).toMatch(/token.*cannot see list 901599999999.*OAUTH_027/);
  });

  it('a wrong token is a fix on the token, naming the ECODE, and no list is blamed', async () => {
    world = await createWorld();
    const c = byCheck(
      await runDoctor({ ...(await depsFor(world, { token: 'pk_wrong' })), remoteDate: async () => Date.now() }),
    );
    expect(c['clickup token']).toMatchObject({ ok: false });
    expect(c['clickup token']!.detail).toMatch(/refused the token.*OAUTH_/);
    expect(Object.keys(c).filter((k) => k.startsWith('clickup list'))).toEqual([]);
  });
});

describe('gridbridge doctor: whose changes are taken for the bridge own', () => {
  it('the declared integration user is ok; the personal token of a person the mapping assigns cases to is a fix that says what it costs', async () => {
    world = await createWorld();
    const c = byCheck(await runDoctor({ ...(await depsFor(world)), remoteDate: async () => Date.now() }));
    expect(c['clickup token owner']).toMatchObject({ ok: true });
    expect(c['clickup token owner']!.detail).toMatch(/dedicated integration user Sandbox Bot/);
    // Dora is the "case-lead" the sandbox mapping assigns strategic partners' cases to.
    world.cu.addToken('pk_dora_personal', 'dora.manager@gridbridge.example');
    const d = byCheck(
      await runDoctor({ ...(await depsFor(world, { token: 'pk_dora_personal' })), remoteDate: async () => Date.now() }),
    );
    expect(d['clickup token']).toMatchObject({ ok: true });
    expect(d['clickup token owner']).toMatchObject({ ok: false });
    expect(d['clickup token owner']!.detail).toMatch(
      /Dora Manager.*own changes in ClickUp are taken for the bridge's echoes and never reach a partner/,
    );
  });
});
