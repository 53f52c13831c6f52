import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMigratedStore, type Store } from '../../src/store/db.ts';

/** A migrated store on a real SQLite file in a fresh temp folder; `cleanup` closes and deletes it. */
export async function tempSqliteStore(): Promise<{
  store: Store;
  url: string;
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbridge-test-'));
  const url = `sqlite:${join(dir, 'gridbridge.db')}`;
  const store = await openMigratedStore(url);
  return {
    store,
    url,
    dir,
    cleanup: async () => {
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
