import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

// Runs in the worker: its own connection to the same file, PASSIVE checkpoints on a timer. PASSIVE never
// blocks the writer; the WAL is reset by the writer once a checkpoint has caught up.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'close') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Moves WAL checkpoints off the event loop. With SQLite's automatic checkpoint, every ~1,000 pages one
 * unlucky commit copied the WAL into the database file and waited for two fsyncs on the main thread
 * (milliseconds on this disk, during which no webhook could be answered). Commit durability does not
 * change: a commit is durable once in the WAL; the checkpoint only copies it into the main file.
 * If the worker cannot run, the connection goes back to automatic checkpoints.
 */
export function startCheckpointer(
  database: BetterSqlite3.Database,
  file: string,
  everyMs = 200,
): { close(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, everyMs } });
  } catch {
    return { close: async () => undefined };
  }
  database.pragma('wal_autocheckpoint = 0');
  let exited = false;
  const fallBack = () => {
    exited = true;
    if (database.open) database.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', () => {
    if (!exited) fallBack();
  });
  worker.unref();
  return {
    close: async () => {
      if (exited) return;
      exited = true;
      worker.postMessage('close');
      const t = setTimeout(() => void worker.terminate(), 2000);
      await done;
      clearTimeout(t);
    },
  };
}
