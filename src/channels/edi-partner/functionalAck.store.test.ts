import { expect, it } from 'vitest';
import pino from 'pino';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { MailboxConfig } from '../../config/mailboxSchema.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { JobRow } from '../../store/ops/claimJobs.ts';
import type { ReceivedInterchange } from '../../connectors/tradinggrid/edi/functionalAcks.ts';
import { parseEdi } from '../../connectors/tradinggrid/edi/parseEdi.ts';
import { ediAcknowledger, functionalAckHandler } from './functionalAck.ts';

// Exactly once under retries: the scan handing the same interchange over again queues no second job, and the job
// run again (a retry after its commit, or after a crash before it) writes no second file and takes no second
// control number.
const { describeStores, make } = await storesUnderTest('src/channels/edi-partner/functionalAck.store.test.ts');

const mailbox = MailboxConfig.parse({
  transport: { type: 'folder', inbound: '/i', outbound: '/o', archive: '/a', quarantine: '/q' },
  our_ids: ['ZZ:GRIDBRIDGE'],
  partners: { 'ZZ:ACMESUPPLY': { partner_id: 'P-ACME', send: { standard: 'x12', ack: '997' } } },
});

const received = (control: string): ReceivedInterchange => ({
  standard: 'x12',
  control,
  sender: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
  receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
  date: '261206',
  time: '1200',
  version: '00401',
  ackRequested: false,
  usage: 'production',
  groups: [{ functionalId: 'PO', control: '5', version: '004010', transactions: [{ setId: '850', control: '0001' }] }],
  errors: [],
});

describeStores('the acknowledgement of one interchange, once (%s)', (kind) => {
  it('queued once per sender and control number; written once with the next control number however often the job runs', async () => {
    const { store } = await make(kind);
    const ctx = {
      config: { mailbox, dispatcher: { max_attempts: 5 } },
      store,
      logger: pino({ level: 'silent' }),
      now: () => Date.UTC(2026, 11, 7, 1, 0),
    } as unknown as SyncContext;
    const acks = ediAcknowledger(ctx);
    expect(acks.wants({ qualifier: 'ZZ', id: 'ACMESUPPLY' })).toBe(true);
    expect(acks.wants({ qualifier: 'ZZ', id: 'SOMEONE' })).toBe(false);
    const file = { name: 'orders.x12', sha256: 'a'.repeat(64) };
    await acks.deliver([received('000000901')], file);
    await acks.deliver([received('000000901')], { ...file, name: 'orders-again.x12' });
    const queued = await store.db
      .selectFrom('jobs')
      .select(['key', 'payload'])
      .where('kind', '=', 'edi.functional_ack')
      .execute();
    expect(queued.map((j) => j.key)).toEqual(['edi.functional_ack:x12|ZZ:ACMESUPPLY|000000901']);

    const run = async (control: string) => {
      const job = { id: 1, kind: 'edi.functional_ack', attempts: 1 } as unknown as JobRow;
      const payload = { address: 'ZZ:ACMESUPPLY', received: received(control) };
      const outcome = await functionalAckHandler(ctx)({ job, payload, attempt: 1, now: ctx.now });
      if (outcome.status !== 'done' || !outcome.commit) throw new Error(`unexpected outcome ${outcome.status}`);
      const commit = outcome.commit;
      await store.db.transaction().execute((trx) => commit(trx));
    };
    await run('000000901');
    await run('000000901');
    await run('000000902');
    const files = await store.db
      .selectFrom('edi_outbound_files')
      .select(['key', 'interchange', 'content'])
      .orderBy('key')
      .execute();
    expect(files.map((f) => [f.key, f.interchange])).toEqual([
      ['ack:x12|ZZ:ACMESUPPLY|000000901', '000000001'],
      ['ack:x12|ZZ:ACMESUPPLY|000000902', '000000002'],
    ]);
    const first = await parseEdi(Buffer.from(files[0]!.content));
    expect(first.errors).toEqual([]);
    expect(first.acknowledgments.map((a) => [a.kind, a.normalized, a.acknowledges])).toEqual([
      ['997', 'accepted', { group_control_number: '5' }],
      ['997', 'accepted', { group_control_number: '5', transaction_control_number: '0001' }],
    ]);
    const sends = await store.db.selectFrom('jobs').select('key').where('kind', '=', 'edi.send_file').execute();
    expect(sends.map((s) => s.key).sort()).toEqual([
      'edi.send_file:ack:x12|ZZ:ACMESUPPLY|000000901',
      'edi.send_file:ack:x12|ZZ:ACMESUPPLY|000000902',
    ]);
  });
});
