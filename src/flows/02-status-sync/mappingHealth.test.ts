import { expect, it } from 'vitest';
import pino from 'pino';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { ok, type Result } from '../../core/result.ts';
import { parseConfigText } from '../../config/load.ts';
import { MINIMAL_CONFIG_YAML } from '../../config/minimalConfig.fixture.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { ClickUpField, ClickUpList } from '../../connectors/clickup/types.ts';
import type { Store } from '../../store/db.ts';
import type { SyncContext } from '../../sync/context.ts';
import { checkMappingHealth, expectedByList, MAPPING_HOLD_PREFIX, readMappingHealth } from './mappingHealth.ts';
import { listHeldChanges, recordChange } from '../../store/ops/partnerChanges.ts';

const { describeStores, make } = await storesUnderTest('src/flows/02-status-sync/mappingHealth.test.ts');

function config(): GridbridgeConfig {
  const r = parseConfigText(MINIMAL_CONFIG_YAML);
  if (!r.ok) throw new Error('the minimal config does not parse');
  return r.config;
}

/**
 * One instance's context on `store`: its clock reads `at`, and each list read is answered by `lists` (statuses
 * the list has; the fields are always those the mapping expects).
 */
function instance(
  store: Store,
  cfg: GridbridgeConfig,
  at: number,
  lists: (listId: string) => Promise<string[]>,
): SyncContext {
  const names = expectedByList(cfg);
  return {
    store,
    config: cfg,
    now: () => at,
    logger: pino({ level: 'silent' }),
    wake: () => undefined,
    fields: { load: async () => undefined },
    clickup: {
      getList: async (listId: string): Promise<Result<ClickUpList>> =>
        ok({ id: listId, statuses: (await lists(listId)).map((status) => ({ status })) } as unknown as ClickUpList),
      getListFields: async (listId: string): Promise<Result<ClickUpField[]>> =>
        ok((names.get(listId)?.fields ?? []).map((f, i) => ({ id: `f${i}`, name: f.name, type: 'short_text' }))),
    },
  } as unknown as SyncContext;
}

describeStores('mapping health on %s', (kind) => {
  it("a check that read a list before a rename does not save its reading over another instance's later one", async () => {
    const { store } = await make(kind);
    const cfg = config();
    const listId = cfg.clickup.list_id;
    const statuses = expectedByList(cfg)
      .get(listId)!
      .statuses.map((s) => s.name);
    const renamed = statuses[0]!;
    // This instance's minute check reads the list (all statuses there) and is slow to finish.
    let answer!: (s: string[]) => void;
    let reading!: () => void;
    const entered = new Promise<void>((r) => (reading = r));
    const slow = checkMappingHealth(
      instance(store, cfg, 1_000, () => {
        reading();
        return new Promise<string[]>((r) => (answer = r));
      }),
      [listId],
    );
    await entered;
    // Meanwhile a status is renamed in ClickUp, and another instance's write is refused: it reads the list again.
    const other = await checkMappingHealth(
      instance(store, cfg, 2_000, async () => statuses.filter((s) => s !== renamed)),
      [listId],
    );
    expect(other.drift.map((d) => d.name)).toEqual([renamed]);
    // The other instance's write of that status is held for the list.
    await recordChange(store.db, {
      actor: `${MAPPING_HOLD_PREFIX}${listId}`,
      at: 2_000,
      job: { kind: 'clickup.set_status', key: 'held-status', queueKey: 'case:C-1', payload: { caseId: 'C-1' } },
      state: 'held',
      reason: other.drift[0]!.reason,
    });
    answer(statuses);
    const late = await slow;
    // The later reading stands: the rename stays known (writes of that status are held, not sent and refused).
    expect(late.drift.map((d) => d.name)).toEqual([renamed]);
    const saved = await readMappingHealth(store.db);
    expect(saved.drift.map((d) => d.name)).toEqual([renamed]);
    expect(saved.checked).toEqual({ [listId]: 2_000 });
    // Nor does its older, clean reading release what the later one held.
    expect(late.released).toBe(0);
    expect((await listHeldChanges(store.db)).map((h) => h.kind)).toEqual(['clickup.set_status']);
  });

  it("a check of one list keeps another instance's findings on a list it did not read", async () => {
    const { store } = await make(kind);
    const cfg = config();
    cfg.partners.map = { 'P-1': { name: 'Partner one', list_id: '20' } };
    const statuses = expectedByList(cfg)
      .get('10')!
      .statuses.map((s) => s.name);
    const renamed = statuses[0]!;
    let answer!: (s: string[]) => void;
    let reading!: () => void;
    const entered = new Promise<void>((r) => (reading = r));
    const slow = checkMappingHealth(
      instance(store, cfg, 1_000, () => {
        reading();
        return new Promise<string[]>((r) => (answer = r));
      }),
      ['10'],
    );
    await entered;
    await checkMappingHealth(
      instance(store, cfg, 2_000, async () => statuses.filter((s) => s !== renamed)),
      ['20'],
    );
    answer(statuses);
    await slow;
    const saved = await readMappingHealth(store.db);
    expect(saved.drift.map((d) => [d.listId, d.name])).toEqual([['20', renamed]]);
    expect(saved.checked).toEqual({ '10': 1_000, '20': 2_000 });
  });
});
