/**
 * A NOTIFY sent after a commit instead of inside it, coalesced: one `send` in flight at a time, and the calls made
 * while it runs answered by one more send after it (a listener only needs to hear that something is new, and
 * PostgreSQL folds identical notifications of one transaction anyway).
 *
 * Why not inside the commit: PostgreSQL serialises the commits of transactions that NOTIFY (PreCommit_Notify takes
 * a database-wide lock and holds it until the commit's WAL flush is done), so notifying commits cannot share an
 * fsync: on a disk whose fsync takes 4-5 ms they top out near 200 a second, and webhooks arriving faster queue
 * behind each other's flushes. A transaction that only NOTIFYs writes no data, so its commit does not wait for a
 * flush and holds that lock only briefly.
 *
 * A lost announcement costs latency only: the dispatchers poll as well.
 */
export function coalescedAnnouncer(send: () => Promise<unknown>, onError: (e: unknown) => void): () => void {
  let inFlight = false;
  let again = false;
  const run = (): void => {
    inFlight = true;
    again = false;
    send().then(
      () => after(),
      (e: unknown) => {
        onError(e);
        after();
      },
    );
  };
  const after = (): void => {
    inFlight = false;
    if (again) run();
  };
  return () => {
    if (inFlight) again = true;
    else run();
  };
}
