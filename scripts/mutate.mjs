#!/usr/bin/env node
// `npm run mutate [module ...]`: Stryker on one module at a time, each with only the tests that cover it
// (vitest.mutate.config.ts), one process (the machine is shared), incremental (reports/mutation/<module>.
// incremental.json: a rerun tests only mutants whose code or tests changed). Without arguments, every
// module below in turn. Prints each module's score; the README's table is copied from these lines.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

/** The dispatcher's tests but the write guard's (which only `execute` and `settle` reach). */
const DISPATCHER_LOOP_TESTS = [
  'src/sync/dispatcher.test.ts',
  'src/sync/dispatcher.shared.test.ts',
  'src/sync/dispatcher.hardening.test.ts',
  'src/sync/dispatcher.yield.test.ts',
  'src/sync/dispatcher.log.test.ts',
  'src/sync/dispatcher.loop.test.ts',
  'src/sync/dispatcher.leaseClock.test.ts',
  'src/sync/dispatcher.claims.test.ts',
];

/** Module → the files mutated and the test files that cover them. */
export const MODULES = {
  decideRetry: { mutate: ['src/connectors/http/decideRetry.ts'], tests: ['src/connectors/http/decideRetry.test.ts'] },
  // The limiter on a test clock only: rateLimiter.test.ts starts a sandbox server per test (about 28 minutes a run).
  rateLimiter: {
    mutate: ['src/connectors/clickup/rateLimiter.ts'],
    tests: ['src/connectors/clickup/rateLimiter.clock.test.ts'],
  },
  signature: { mutate: ['src/connectors/clickup/signature.ts'], tests: ['src/connectors/clickup/signature.test.ts'] },
  multipart: {
    mutate: ['src/sandbox/shared/multipart.ts', 'src/connectors/tradinggrid/community/multipart.ts'],
    tests: ['src/sandbox/shared/multipart.test.ts'],
  },
  // The known-answer tests of the tokenizer and parseEdi's fixtures: the property tests (4 s a run) and the
  // real-world, public-sample and encoding files (the same code paths, many times the bytes) are left out for
  // time; the score is that of these two files alone.
  ediTokenizer: {
    mutate: ['src/connectors/tradinggrid/edi/tokenizer.ts'],
    tests: ['src/connectors/tradinggrid/edi/tokenizer.test.ts', 'src/connectors/tradinggrid/edi/parseEdi.test.ts'],
  },
  // The in-memory Trading Grid tests only: the sandbox ones (pollChanges.test.ts, webhooks.test.ts) start a
  // server per test and ran a mutant a minute on the shared machine; they can only kill more.
  pollChanges: {
    mutate: ['src/connectors/tradinggrid/community/pollChanges.ts'],
    tests: ['src/connectors/tradinggrid/community/pollChanges.events.test.ts'],
  },
  // The dispatcher in two halves, each on SQLite alone (GB_TEST_STORES=sqlite: a PostgreSQL database per test
  // file per mutant made a mutant take 20 s at a load of 25; its PostgreSQL-only lines are left out of both).
  // The whole file (366 mutants) ran at 4-5 mutants a minute on the shared machine: too slow for one run.
  // `dispatcher`: running one job and recording its outcome (execute, settle: retries, dead letters, lost
  // leases, deadlines, shutdown hand-back, the write guard, parking a waiting job), l. 319-495.
  dispatcher: {
    mutate: ['src/sync/dispatcher.ts:319-495'],
    sqliteOnly: true,
    tests: [
      'src/sync/dispatcher.test.ts',
      'src/sync/dispatcher.hardening.test.ts',
      'src/sync/dispatcher.writeGuard.test.ts',
      'src/sync/dispatcher.log.test.ts',
      'src/sync/dispatcher.wait.test.ts',
    ],
  },
  // The rest of the file in two more halves, but the PostgreSQL-only lines (LISTEN, l. 171-179; folded and
  // optimistic group commits, l. 525-604 but for the two conditions that choose them, l. 550 and 578). Lines as
  // of the 'wait' outcome (after 763bcea; re-checked 7 December; move them when dispatcher.ts gains or loses lines).
  // `dispatcherLoop`: the worker id and lease clock, start, the lease upkeep, stop, runUntilIdle, the claim loop.
  dispatcherLoop: {
    mutate: ['src/sync/dispatcher.ts:152-170', 'src/sync/dispatcher.ts:180-318'],
    sqliteOnly: true,
    tests: DISPATCHER_LOOP_TESTS,
  },
  // `dispatcherCommit`: the dead-letter tail of settle (l. 496-500), the group commit's kick, the SQLite group
  // commit (its one-job transaction lost a catch that rethrew all, 7 December). The two conditions that choose
  // PostgreSQL's commits (l. 550, 578) were in it until 7 December 14:55: on SQLite their 12 mutants cannot be told
  // apart, so they are measured only by dispatcherCommitPg below. All the dispatcher modules' lines moved back when
  // 7c03c66 (a turn between SQLite group commits) was reverted, re-checked against the file 7 December 14:50.
  dispatcherCommit: {
    mutate: ['src/sync/dispatcher.ts:496-523', 'src/sync/dispatcher.ts:605-657'],
    sqliteOnly: true,
    // With the group commit's own tests (a batch's jobs settling each their way, a failed transaction).
    tests: [...DISPATCHER_LOOP_TESTS, 'src/sync/dispatcher.commit.test.ts'],
  },
  // The two conditions that choose PostgreSQL's folded and optimistic group commits (l. 550 and 578), on PostgreSQL
  // as well: on SQLite alone their mutants cannot be told apart (the folded path falls back, the optimistic one is
  // never taken), so they are measured here and nowhere else.
  dispatcherCommitPg: {
    mutate: ['src/sync/dispatcher.ts:550-550', 'src/sync/dispatcher.ts:578-578'],
    tests: [
      'src/sync/dispatcher.shared.test.ts',
      'src/sync/dispatcher.commit.test.ts',
      'src/sync/dispatcher.test.ts',
      'src/store/foldedCommit.test.ts',
    ],
  },
  // `dispatcherPg`: the dispatcher's PostgreSQL-only lines, left out of the three SQLite halves above: LISTEN for
  // new jobs (l. 171-179), the folded group commit (completeFolded, l. 525-549, and its path in flushCompletions,
  // l. 551-577) and the optimistic one (l. 579-604), their two conditions (l. 550, 578) being dispatcherCommitPg's.
  // On both stores, with the tests that run them on PostgreSQL. Measured on l. 171-604, the same lines as now
  // (7c03c66 moved them for a while and was reverted).
  dispatcherPg: {
    mutate: [
      'src/sync/dispatcher.ts:171-179',
      'src/sync/dispatcher.ts:525-549',
      'src/sync/dispatcher.ts:551-577',
      'src/sync/dispatcher.ts:579-604',
    ],
    tests: [
      'src/sync/dispatcher.shared.test.ts',
      'src/store/foldedCommit.test.ts',
      'src/sync/dispatcher.pgCommit.test.ts',
    ],
  },
  scheduler: {
    mutate: ['src/sync/scheduler.ts'],
    tests: ['src/sync/scheduler.test.ts', 'src/sync/scheduler.schedule.test.ts', 'src/sync/scheduler.overrun.test.ts'],
  },
  // The store operation with the most logic, retention pruning, on SQLite alone (GB_TEST_STORES=sqlite): the
  // file has no dialect branch, so the PostgreSQL half runs the same code, at the price of a database per test
  // file per mutant. The whole file is 315 mutants (about 40 minutes under load): the lines mutated are its
  // code beyond one query per table: the batching (inBatches, groupBy), the page hits' windows, the sync
  // hashes' whole-case or field-by-field delete, and the pass over the tables. The queue's, the intake's and the
  // leases' ops are storeQueue, storeIntake and storeLeases below; the rest of the file is storePrune and
  // storePruneTail, the other ops the store* modules after storeLeases.
  storeOps: {
    mutate: [
      'src/store/ops/pruneRetention.ts:40-71',
      'src/store/ops/pruneRetention.ts:252-340',
      'src/store/ops/pruneRetention.ts:456-480',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/pruneRetention.test.ts', 'src/store/ops/pruneRetention.rules.test.ts'],
  },
  // The job queue and the exactly-once machinery, in three modules of about 150 mutants each, on SQLite alone
  // (GB_TEST_STORES=sqlite, like storeOps). Their PostgreSQL-only lines cannot be killed there and are left out, each
  // measured on both stores by the module of the same name with `Pg` (storeQueuePg, storeIntakePg, storeLeasesPg
  // below): the claim's PostgreSQL statement path (claimJobs.ts l. 48-49), announcing new jobs and the enqueue's
  // folded-completion path (enqueueJobs.ts l. 56-58, 88-92, 97; the condition that chooses the fold is kept), the
  // intake's one-statement PostgreSQL write (recordInboundEvent.ts l. 130, writeEvents' PostgreSQL branch; l. 148-174,
  // pgRecord; l. 207-209, the one-event PostgreSQL path, its condition kept) and releaseOrphanedLeases' PostgreSQL
  // guard (l. 16). Lines as of 763bcea, 25059d4 and 7b304ca (5 lines more in writeEvents' SQLite branch), re-checked 7 December
  // 14:12 (storeQueue and storeIntake were measured on the files before the first two, storeIntakePg before the
  // third: their ranges were moved back onto the code, not re-measured).
  // The statement texts (fastPath/statements.ts) are module-level constants: Stryker's ignoreStatic leaves them out.
  // `storeQueue`: claim, complete, enqueue, retry, dead-letter, replay, advance, take parked jobs.
  storeQueue: {
    mutate: [
      'src/store/ops/claimJobs.ts:40-47',
      'src/store/ops/completeJob.ts',
      'src/store/ops/enqueueJobs.ts:27-49',
      'src/store/ops/enqueueJobs.ts:74-87',
      'src/store/ops/enqueueJobs.ts:94-95',
      'src/store/ops/enqueueJobs.ts:98-98',
      'src/store/ops/retryJob.ts',
      'src/store/ops/deadLetterJob.ts',
      'src/store/ops/replayDeadLetter.ts',
      'src/store/ops/advanceReadyJob.ts',
      'src/store/ops/waitingJobs.ts',
    ],
    sqliteOnly: true,
    tests: [
      'src/store/ops/jobQueue.test.ts',
      'src/store/ops/parity.test.ts',
      'src/store/ops/replayDeadLetter.hardening.test.ts',
      'src/store/ops/waitingJobs.test.ts',
    ],
  },
  // `storeIntake`: recording inbound events exactly once (the group-commit batcher, its fallback event by event,
  // the announce after the commit, the in-order batch, the one-event path in a transaction), comparing and finding a
  // stored one. The announce is dialect-free code (only PostgreSQL stores have an announcer): inboundIntake.test.ts
  // gives the SQLite store a stand-in so the decision is measured.
  storeIntake: {
    mutate: [
      'src/store/ops/recordInboundEvent.ts:28-129',
      'src/store/ops/recordInboundEvent.ts:131-140',
      'src/store/ops/recordInboundEvent.ts:175-206',
      'src/store/ops/recordInboundEvent.ts:210-252',
      'src/store/ops/compareInboundEvent.ts',
      'src/store/ops/hasInboundEvent.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/inboundIntake.test.ts', 'src/store/ops/parity.test.ts'],
  },
  // `storeLeases`: cursors (compare-and-set), named leases, job leases (extend, hold), crash recovery (expired
  // leases, orphaned ones at start-up).
  storeLeases: {
    mutate: [
      'src/store/ops/cursors.ts',
      'src/store/ops/namedLease.ts',
      'src/store/ops/recoverCrashedJobs.ts',
      'src/store/ops/reclaimExpiredLeases.ts',
      'src/store/ops/releaseOrphanedLeases.ts:17-18',
      'src/store/ops/extendLeases.ts',
      'src/store/ops/holdsLease.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/jobLeases.test.ts', 'src/store/ops/cursors.test.ts', 'src/store/fixedStatement.test.ts'],
  },
  // The PostgreSQL-only lines of the three store modules above, on both stores (a database per test file per mutant:
  // the fewest test files that run them on PostgreSQL). Lines as of 763bcea and 25059d4, re-checked 7 December.
  // `storeQueuePg`: the claim's PostgreSQL statement path, announcing new jobs (announceNewJobs and the enqueue's
  // condition: SQLite has no announcer), the enqueue's folded-completion path (its condition is storeQueue's).
  storeQueuePg: {
    mutate: [
      'src/store/ops/claimJobs.ts:48-49',
      'src/store/ops/enqueueJobs.ts:56-58',
      'src/store/ops/enqueueJobs.ts:88-92',
      'src/store/ops/enqueueJobs.ts:97-97',
    ],
    tests: ['src/store/ops/jobQueue.test.ts'],
  },
  // `storeIntakePg`: the intake's PostgreSQL write: writeEvents' PostgreSQL branch (its lane), pgRecord (one
  // statement for a batch, duplicates within it), the one-event PostgreSQL path (its condition is storeIntake's).
  storeIntakePg: {
    mutate: [
      'src/store/ops/recordInboundEvent.ts:130-130',
      'src/store/ops/recordInboundEvent.ts:148-174',
      'src/store/ops/recordInboundEvent.ts:207-209',
    ],
    tests: ['src/store/ops/inboundIntake.test.ts'],
  },
  // `storeLeasesPg`: releaseOrphanedLeases' PostgreSQL guard (never on PostgreSQL: its leases belong to live instances).
  storeLeasesPg: {
    mutate: ['src/store/ops/releaseOrphanedLeases.ts:16-16'],
    tests: ['src/store/ops/jobLeases.test.ts'],
  },
  // The rest of src/store/ops (session 10, issue 25), in SQLite-only modules grouped by area, each with the ops'
  // own tests and parity.test.ts (ops on both stores with the same expectations). Each of about 70-220 mutants: at a
  // load of about 30 a mutant of these tests took 5-8 s (7 December), so a module runs in about 10-25 minutes.
  // PostgreSQL-only lines left out: tableExists.ts l. 11-14 (information_schema, the PostgreSQL branch; its
  // condition is kept); the folded-completion paths (a fold sink exists only inside PostgreSQL's folded commit,
  // foldedCommit.ts; their conditions kept): cases.ts l. 93-104 (setCasePartnerStatus), links.ts l. 50-53
  // (recordLink), recordStatusChange.ts l. 32-33. Lines as of 6cea392. cases.ts l. 145 (lockCase's FOR UPDATE on
  // PostgreSQL alone) is kept: its condition turned true fails on SQLite; turned false it only loses PostgreSQL's row
  // lock (equivalent on SQLite).
  // `storePrune`: the rest of pruneRetention.ts (storeOps above has its batching, page hits, sync hashes and the
  // pass over the tables): the queries of done jobs, replayed dead letters, audit, inbound events, partner messages.
  storePrune: {
    mutate: ['src/store/ops/pruneRetention.ts:72-251'],
    sqliteOnly: true,
    tests: ['src/store/ops/pruneRetention.test.ts', 'src/store/ops/pruneRetention.rules.test.ts'],
  },
  // `storePruneTail`: the timeline's and partner files' queries, and the row counts.
  storePruneTail: {
    mutate: ['src/store/ops/pruneRetention.ts:341-455', 'src/store/ops/pruneRetention.ts:481-510'],
    sqliteOnly: true,
    tests: ['src/store/ops/pruneRetention.test.ts', 'src/store/ops/pruneRetention.rules.test.ts'],
  },
  // `storeMailbox`: the Trading Grid mailbox's processed files, orders and shipments, its last inbound time.
  storeMailbox: {
    mutate: [
      'src/store/ops/mailboxFiles.ts',
      'src/store/ops/mailboxOrders.ts',
      'src/store/ops/mailboxShipments.ts',
      'src/store/ops/mailboxLastInbound.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/mailbox.test.ts'],
  },
  // `storeMailboxSent`: sent transactions awaiting their FA, acknowledgements, held and listed mailbox cases, inbound
  // payloads and the per-source summary.
  storeMailboxSent: {
    mutate: [
      'src/store/ops/mailboxSent.ts',
      'src/store/ops/mailboxAcknowledgements.ts',
      'src/store/ops/mailboxHeldCases.ts',
      'src/store/ops/listMailboxCases.ts',
      'src/store/ops/inboundEventPayload.ts',
      'src/store/ops/inboundSources.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/mailbox.test.ts', 'src/store/ops/parity.test.ts'],
  },
  // `storeEdiOutbound`: the EDI outbound queue and its control numbers.
  storeEdiOutbound: {
    mutate: ['src/store/ops/ediOutbound.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/ediOutbound.test.ts', 'src/store/ops/ediOutboundFiles.test.ts'],
  },
  // `storePartnerMail`: partner messages (queue, digest, sent, failed, bounced) and page hits.
  storePartnerMail: {
    mutate: ['src/store/ops/partnerMessages.ts', 'src/store/ops/partnerPageHits.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/partnerChannel.test.ts'],
  },
  // `storePartnerPages`: partner actions, files and page links.
  storePartnerPages: {
    mutate: ['src/store/ops/partnerActions.ts', 'src/store/ops/partnerFiles.ts', 'src/store/ops/partnerTokens.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/partnerChannel.test.ts'],
  },
  // `storePartnerGuard`: the bulk-change guard's counted, held, released and dropped changes.
  storePartnerGuard: {
    mutate: ['src/store/ops/partnerChanges.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/partnerChannel.test.ts'],
  },
  // `storeAdmin`: admin sessions, secrets, the AC partner snapshot, partner names.
  storeAdmin: {
    mutate: [
      'src/store/ops/adminSessions.ts',
      'src/store/ops/secrets.ts',
      'src/store/ops/acPartnerSnapshot.ts',
      'src/store/ops/listPartnerNames.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/admin.test.ts', 'test/security/secretsStore.test.ts'],
  },
  // `storeRecords`: flow records and documents.
  storeRecords: {
    mutate: ['src/store/ops/flowRecords.ts', 'src/store/ops/documents.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/records.test.ts'],
  },
  // `storeCases`: cases, their link and view extras, due date, hold reason, SLA due time, field memory, audit.
  storeCases: {
    mutate: [
      'src/store/ops/cases.ts:1-92',
      'src/store/ops/cases.ts:105-147',
      'src/store/ops/caseWithLink.ts',
      'src/store/ops/caseViewExtras.ts',
      'src/store/ops/setCaseDueDate.ts',
      'src/store/ops/setCaseHoldReason.ts',
      'src/store/ops/setCaseSlaDueAt.ts',
      'src/store/ops/fieldMemory.ts',
      'src/store/ops/audit.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/caseWithLink.test.ts', 'src/store/ops/casesOps.test.ts'],
  },
  // `storeCaseSearch`: the console's case search and the case timeline.
  storeCaseSearch: {
    mutate: ['src/store/ops/searchCases.ts', 'src/store/ops/timeline.ts'],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/timeline.test.ts', 'src/store/ops/caseSearch.test.ts'],
  },
  // `storeLinks`: case-task links.
  storeLinks: {
    mutate: ['src/store/ops/links.ts:1-49', 'src/store/ops/links.ts:54-134'],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/links.test.ts', 'src/store/ops/caseWithLink.test.ts'],
  },
  // `storeSla`: status history, SLA reads and writes, escalations, the sweep's and the SLA list's reads.
  storeSla: {
    mutate: [
      'src/store/ops/recordStatusChange.ts:1-31',
      'src/store/ops/recordStatusChange.ts:34-37',
      'src/store/ops/listStatusHistories.ts',
      'src/store/ops/caseSlaReads.ts',
      'src/store/ops/saveCaseSla.ts',
      'src/store/ops/recordEscalation.ts',
      'src/store/ops/recordEscalationTask.ts',
      'src/store/ops/listEscalations.ts',
      'src/store/ops/listOpenCasesForSweep.ts',
      'src/store/ops/listSlaCases.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/slaOps.test.ts', 'src/store/ops/slaStore.test.ts'],
  },
  // `storeScorecards`: the scorecards' SQL aggregates and rows.
  storeScorecards: {
    mutate: [
      'src/store/ops/computeScorecards.ts',
      'src/store/ops/scorecardAggregates.ts',
      'src/store/ops/scorecardRows.ts',
    ],
    sqliteOnly: true,
    tests: ['src/store/ops/parity.test.ts', 'src/store/ops/slaOps.test.ts', 'src/store/ops/scorecardStore.test.ts'],
  },
  // `storeReads`: gauges, due jobs, the queue summary, dead-letter reads, ready retries, the outage release, parking a
  // job, the ClickUp budget, ping, applied migrations, tableExists (but its PostgreSQL branch).
  storeReads: {
    mutate: [
      'src/store/ops/countGauges.ts',
      'src/store/ops/countDueJobs.ts',
      'src/store/ops/summarizeQueue.ts',
      'src/store/ops/listDeadLetterDetails.ts',
      'src/store/ops/findOpenDeadLetter.ts',
      'src/store/ops/listReadyRetries.ts',
      'src/store/ops/makeDueAfterOutage.ts',
      'src/store/ops/parkJob.ts',
      'src/store/ops/takeClickUpBudget.ts',
      'src/store/ops/pingStore.ts',
      'src/store/ops/appliedMigrations.ts',
      'src/store/ops/tableExists.ts:1-10',
      'src/store/ops/tableExists.ts:15-17',
    ],
    sqliteOnly: true,
    tests: [
      'src/store/ops/parity.test.ts',
      'src/store/ops/listReadyRetries.test.ts',
      'src/store/ops/storeReads.test.ts',
    ],
  },
  // Measured or not: the README's table says. Paths as of the move of each flow into src/flows/<nn>-name/; fix them when a file moves.
  safeFetch: {
    mutate: ['src/connectors/http/safeFetch.ts', 'src/connectors/http/ssrfGuard.ts'],
    tests: [
      'test/security/safeFetch.test.ts',
      'test/security/safeFetch.edges.test.ts',
      'test/security/safeFetch.wire.test.ts',
      'src/connectors/http/ssrfGuard.embedded.test.ts',
    ],
  },
  // The transport against one scripted HTTP server with a recording limiter and sleep (transport.unit.test.ts);
  // transport.test.ts starts a sandbox per test (about a minute a mutant) and is left out.
  transport: {
    mutate: ['src/connectors/clickup/transport.ts'],
    tests: ['src/connectors/clickup/transport.unit.test.ts'],
  },
  // The envelope and acknowledgement readers in two modules (together about 900 lines: too many mutants for one
  // run on the shared machine), each with the pure known-answer tests that reach it; none starts a server.
  // `ediEnvelope`: the ISA/GS/ST and UNB/UNG/UNH checker (nesting, counts, control numbers, header fields).
  ediEnvelope: {
    mutate: ['src/connectors/tradinggrid/edi/envelope.ts'],
    tests: [
      'src/connectors/tradinggrid/edi/envelope.test.ts',
      'src/connectors/tradinggrid/edi/parseEdi.test.ts',
      'src/connectors/tradinggrid/edi/realWorld.test.ts',
    ],
  },
  // `ediAcks`: the TA1, 997/999, 824, CONTRL and APERAK readers and their validation, with their known-answer
  // tables alone: with the fixture, writer round-trip and real-world files as well (five test files a mutant) it
  // ran at 5 mutants a minute at a load of 25; those files reach the same code and can only kill more.
  ediAcks: {
    mutate: ['src/connectors/tradinggrid/edi/acknowledgments.ts'],
    tests: [
      'src/connectors/tradinggrid/edi/acknowledgments.known.test.ts',
      'src/connectors/tradinggrid/edi/acknowledgments.test.ts',
    ],
  },
  slaDecisions: {
    mutate: ['src/flows/05-escalation/decisions/sla/decideSlaActions.ts'],
    tests: ['src/flows/05-escalation/decisions/sla/decideSlaActions.test.ts'],
  },
  statusMap: {
    mutate: ['src/flows/02-status-sync/decisions/statusMap.ts'],
    tests: ['src/flows/02-status-sync/decisions/statusMap.test.ts'],
  },
  // The flows' other pure decisions, one module per flow (statusMap and slaDecisions above are measured on
  // their own), each with only its table tests: none starts a server or opens a store.
  caseIntakeDecisions: {
    mutate: ['src/flows/01-case-intake/decisions/caseIntake.ts'],
    tests: [
      'src/flows/01-case-intake/decisions/caseIntake.test.ts',
      'src/flows/01-case-intake/decisions/slaDueAt.test.ts',
    ],
  },
  statusSyncDecisions: {
    mutate: [
      'src/flows/02-status-sync/decisions/caseEvent.ts',
      'src/flows/02-status-sync/decisions/ediStatus.ts',
      'src/flows/02-status-sync/decisions/editDirection.ts',
      'src/flows/02-status-sync/decisions/fieldEdits.ts',
      'src/flows/02-status-sync/decisions/fieldSync.ts',
      'src/flows/02-status-sync/decisions/mappingDrift.ts',
    ],
    tests: [
      'src/flows/02-status-sync/decisions/caseEvent.test.ts',
      'src/flows/02-status-sync/decisions/ediStatus.test.ts',
      'src/flows/02-status-sync/decisions/editDirection.test.ts',
      'src/flows/02-status-sync/decisions/edges.test.ts',
      'src/flows/02-status-sync/decisions/fieldEdits.test.ts',
      'src/flows/02-status-sync/decisions/fieldSync.test.ts',
      'src/flows/02-status-sync/decisions/mappingDrift.test.ts',
    ],
  },
  onboardingDecisions: {
    mutate: ['src/flows/04-onboarding/decisions/onboarding.ts'],
    tests: [
      'src/flows/04-onboarding/decisions/onboarding.test.ts',
      'src/flows/04-onboarding/decisions/onboarding.plan.test.ts',
    ],
  },
  // Flow 5 besides decideSlaActions (slaDecisions): routing, the SLA clock and policy, the sweep.
  routingDecisions: {
    mutate: [
      'src/flows/05-escalation/decisions/routing/caseCategories.ts',
      'src/flows/05-escalation/decisions/routing/caseKinds.ts',
      'src/flows/05-escalation/decisions/routing/routeCase.ts',
      'src/flows/05-escalation/decisions/routing/routingRules.ts',
    ],
    tests: [
      'src/flows/05-escalation/decisions/routing/caseCategories.test.ts',
      'src/flows/05-escalation/decisions/routing/routeCase.test.ts',
      'src/flows/05-escalation/decisions/routing/routing.edges.test.ts',
    ],
  },
  slaClockDecisions: {
    mutate: [
      'src/flows/05-escalation/decisions/sla/computeSla.ts',
      'src/flows/05-escalation/decisions/sla/faOverdue.ts',
      'src/flows/05-escalation/decisions/sla/slaPolicy.ts',
      'src/flows/05-escalation/decisions/slaSweep.ts',
    ],
    tests: [
      'src/flows/05-escalation/decisions/sla/computeSla.test.ts',
      'src/flows/05-escalation/decisions/sla/slaPolicy.test.ts',
      'src/flows/05-escalation/decisions/sla/slaClock.edges.test.ts',
      'src/flows/05-escalation/decisions/sla/decideSlaActions.test.ts',
      'src/flows/05-escalation/decisions/slaSweep.test.ts',
      'src/flows/05-escalation/decisions/slaSweep.jobs.test.ts',
    ],
  },
  approvalsDecisions: {
    mutate: ['src/flows/06-approvals/decisions/approvals.ts'],
    tests: [
      'src/flows/06-approvals/decisions/approvals.test.ts',
      'src/flows/06-approvals/decisions/approvals.draft.test.ts',
      'src/flows/06-approvals/decisions/approvals.edges.test.ts',
    ],
  },
  rolloutDecisions: {
    mutate: ['src/flows/08-rollouts/decisions/rollout.ts'],
    tests: ['src/flows/08-rollouts/decisions/rollout.test.ts', 'src/flows/08-rollouts/decisions/rollout.edges.test.ts'],
  },
  // The partner boundary: nothing reaches a partner unless a sharing rule says so (comments, files, fields),
  // and the bulk-change guard that holds a person's burst of partner-visible changes.
  sharingRules: {
    mutate: ['src/core/sharing/rules.ts', 'src/core/sharing/bulkGuard.ts'],
    tests: [
      'src/core/sharing/rules.test.ts',
      'src/core/sharing/rules.edges.test.ts',
      'src/core/sharing/bulkGuard.test.ts',
    ],
  },
  // Flow 7: the scorecard's figures, its periods, the quantile and the CSV.
  scorecardDecisions: {
    mutate: [
      'src/core/metrics/scorecard.ts',
      'src/core/metrics/period.ts',
      'src/core/metrics/quantile.ts',
      'src/core/metrics/scorecardCsv.ts',
    ],
    tests: [
      'src/core/metrics/scorecard.test.ts',
      'src/core/metrics/period.test.ts',
      'src/core/metrics/scorecard.edges.test.ts',
    ],
  },
  // Flow 3: the check every file passed on goes through (type, size, hash: documentCheck, readLimited), the
  // media type, and what a document reported by Trading Grid leads to. With in-memory streams only:
  // documentCheck.test.ts also runs the two upload handlers on a SQLite store (1.5 s a test under load).
  documentDecisions: {
    mutate: [
      'src/flows/shared/documentCheck.ts',
      'src/flows/shared/readLimited.ts',
      'src/core/mediaType.ts',
      'src/flows/03-documents/decisions/tradingGridDocument.ts',
    ],
    tests: [
      'src/flows/shared/documentCheck.edges.test.ts',
      'src/flows/03-documents/decisions/tradingGridDocument.test.ts',
    ],
  },
  // The business calendar SLA due dates are counted in (working hours, holidays, time zones) and its config, with its
  // table tests and calendar.known.test.ts (known answers worked out by hand). businessCalendar.properties.test.ts
  // is left out: its 600 random runs took about 4 s a mutant at a load of 20 (the first run managed 5 mutants a
  // minute, a third of them timeouts); the score is that of the tables.
  businessCalendar: {
    mutate: [
      'src/core/calendar/businessCalendar.ts',
      'src/core/calendar/zoned.ts',
      'src/core/calendar/calendarConfig.ts',
    ],
    tests: [
      'src/core/calendar/businessCalendar.test.ts',
      'src/core/calendar/calendarConfig.test.ts',
      'src/core/calendar/calendar.edges.test.ts',
      'src/core/calendar/calendar.known.test.ts',
    ],
  },
};

/**
 * Whether a mutant at `path`:`line` is on the lines `mutate` names (`file` or `file:from-to`). Stryker's incremental
 * report keeps the results of lines a module named before (dispatcherCommit's two PostgreSQL conditions, moved to
 * dispatcherCommitPg, were still counted after): only the module's current lines make its score.
 */
export function onModuleLines(mutate, path, line) {
  return mutate.some((entry) => {
    const m = /^(.*):(\d+)-(\d+)$/.exec(entry);
    if (!m) return entry === path;
    return m[1] === path && line >= Number(m[2]) && line <= Number(m[3]);
  });
}

/** Score as Stryker counts it: killed + timeout over all valid mutants (no coverage counts against). */
function summarize(name) {
  const file = join(root, 'reports', 'mutation', `${name}.json`);
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const n = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0 };
  const survivors = [];
  for (const [path, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      if (!onModuleLines(MODULES[name].mutate, path, m.location.start.line)) continue;
      n[m.status] = (n[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage')
        survivors.push(
          `${path}:${m.location.start.line} ${m.mutatorName} ${m.replacement ? JSON.stringify(m.replacement).slice(0, 60) : ''}`,
        );
    }
  }
  const valid = n.Killed + n.Timeout + n.Survived + n.NoCoverage;
  return { ...n, score: valid === 0 ? null : (100 * (n.Killed + n.Timeout)) / valid, survivors };
}

/** Runs the modules named on the command line, or every module: only when run, not when imported. */
function main() {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((m) => !(m in MODULES));
  if (unknown.length > 0) {
    process.stderr.write(
      `mutate: unknown module(s) ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}\n`,
    );
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(MODULES);

  let failed = false;
  for (const name of names) {
    const m = MODULES[name];
    process.stdout.write(`\n=== mutate ${name}: ${m.mutate.join(', ')} ===\n`);
    const r = spawnSync('npx', ['stryker', 'run', '--concurrency', '1', '--mutate', m.mutate.join(',')], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        GB_MUTATE_NAME: name,
        GB_MUTATE_TESTS: m.tests.join(','),
        ...(m.sqliteOnly ? { GB_TEST_STORES: 'sqlite' } : {}),
      },
    });
    if (r.status !== 0) failed = true;
    const s = summarize(name);
    if (s) {
      process.stdout.write(
        `mutation ${name}: ${s.score === null ? 'n/a' : s.score.toFixed(1)} % killed (${s.Killed} killed, ${s.Timeout} timeout, ${s.Survived} survived, ${s.NoCoverage} no coverage)\n`,
      );
      for (const x of s.survivors) process.stdout.write(`  survived: ${x}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

// Importing this file (to read MODULES) must not start a run of every module: it did, three times, on 7 December.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
