import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class StoreLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One bridge per SQLite file: at start-up a bridge makes every running job of the file ready again (its
 * previous process died), which would be wrong if another bridge were still running them. The lock file
 * `<db>.lock` holds the owner's pid; a lock whose process is gone is stale and taken over.
 * Other commands (dlq, report, doctor) do not take it: they may look at a running bridge's file.
 */
export function lockSqliteStore(file: string): { release(): void } {
  const path = `${file}.lock`;
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path, { force: true });
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue; // removed between our open and read: try again
      }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new StoreLockedError(
          `the SQLite store ${file} is in use by another gridbridge (pid ${owner}${owner === process.pid ? ', this very process' : ''}). ` +
            `One bridge per SQLite file: stop the other one first, or use PostgreSQL (store.url: postgres://…) to run several instances. ` +
            `If no such process runs, delete ${path}.`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new StoreLockedError(`could not take the lock ${path} on the SQLite store; another process keeps changing it`);
}
