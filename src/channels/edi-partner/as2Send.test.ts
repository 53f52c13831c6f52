import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import type { Store } from '../../store/db.ts';
import { listen, type Listening } from '../../server/listen.ts';
import { mountAs2MdnRoute } from '../../server/routes/as2Mdn.ts';
import { OpensslPeer } from '../../connectors/tradinggrid/mailbox/as2/opensslPeer.ts';
import { loadAs2Setup } from '../tradinggrid-mailbox/as2Runtime.ts';
import { MailboxConfig } from '../../config/mailboxSchema.ts';
import { getEdiOutboundFile, insertEdiOutboundFile } from '../../store/ops/ediOutbound.ts';
import { listAudit } from '../../store/ops/audit.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { EdiPartnerPayload } from './jobs.ts';
import { sendEdiFileHandler } from './send.ts';
import { as2MdnInHandler, as2MdnOverdueHandler } from './as2Send.ts';

// The partner is a real HTTP server on 127.0.0.1 that runs Debian's openssl on what we POST: `cms -decrypt`
// with its key, `cms -verify` of our signature, `dgst` for the MIC, and answers an MDN it signs with `cms -sign`.
const peer = new OpensslPeer();
let store: Store;
let cleanup: () => Promise<void>;
let dir: string;
let us: ReturnType<OpensslPeer['certificate']>;
let them: ReturnType<OpensslPeer['certificate']>;
let partnerServer: Server;
let partnerUrl: string;
let bridge: Listening;
let mailbox: MailboxConfig;

const X12 =
  'ISA*00*          *00*          *ZZ*US             *ZZ*THEM           *261206*1200*U*00401*000000007*0*P*>~' +
  'GS*CA*US*THEM*20261206*1200*7*X*004010~ST*865*0001~BCA*01*AC*PO-1**1*20261206~SE*3*0001~GE*1*7~IEA*1*000000007~';

type Mode = 'processed' | 'refuse' | 'wrong-mic' | 'drop' | 'async';
let mode: Mode = 'processed';
/** What the partner got: the headers, and what openssl made of the body. */
let received: { messageId: string; headers: Record<string, unknown>; payload: string; mic: string }[] = [];

function opensslReceive(body: Buffer): { payload: string; mic: string } {
  peer.write('in.der', body);
  peer.run([
    'cms',
    '-decrypt',
    '-binary',
    '-inform',
    'DER',
    '-in',
    'in.der',
    '-recip',
    them.certPath,
    '-inkey',
    them.keyPath,
    '-out',
    'dec.eml',
  ]);
  // -verify writes the part we signed as it was signed (its MIME headers and the file), the MIC's input. Not
  // -binary: openssl's binary mode mis-splits a multipart/signed it reads.
  peer.run(['cms', '-verify', '-in', 'dec.eml', '-CAfile', us.certPath, '-out', 'signed-part.bin']);
  const mic = peer.run(['dgst', '-sha256', '-binary', join(peer.dir, 'signed-part.bin')]).toString('base64');
  const part = peer.read('signed-part.bin').toString('latin1');
  return { payload: part.slice(part.indexOf('\r\n\r\n') + 4), mic };
}

/** An MDN openssl signs with the partner's key: the Content-Type and body to answer or POST with. */
function opensslMdn(
  messageId: string,
  disposition: string,
  mic: string | null,
  signer = them,
): { contentType: string; body: Buffer } {
  const b = 'mdn-boundary-1';
  peer.write(
    'report.eml',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"\r\n\r\n` +
      `--${b}\r\nContent-Type: text/plain\r\n\r\nYour message was handled.\r\n` +
      `--${b}\r\nContent-Type: message/disposition-notification\r\n\r\n` +
      `Reporting-UA: openssl test partner\r\nOriginal-Recipient: rfc822; THEM\r\nFinal-Recipient: rfc822; THEM\r\n` +
      `Original-Message-ID: ${messageId}\r\nDisposition: automatic-action/MDN-sent-automatically; ${disposition}\r\n` +
      (mic ? `Received-Content-MIC: ${mic}, sha-256\r\n` : '') +
      `\r\n--${b}--\r\n`,
  );
  peer.run([
    'cms',
    '-sign',
    '-binary',
    '-crlfeol',
    '-md',
    'sha256',
    '-signer',
    signer.certPath,
    '-inkey',
    signer.keyPath,
    '-in',
    'report.eml',
    '-out',
    'mdn.eml',
  ]);
  const signed = peer.read('mdn.eml').toString('latin1');
  const head = signed.indexOf('\r\n\r\n');
  const contentType = /Content-Type: (multipart\/signed;[^\r]*(?:\r\n[ \t][^\r]*)*)/
    .exec(signed.slice(0, head))![1]!
    .replace(/\r\n[ \t]+/g, ' ');
  return { contentType, body: Buffer.from(signed.slice(head + 4), 'latin1') };
}

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { detail: string } }): T => {
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

function mailboxConfig(url: string, receiptUrl: string) {
  const partner = { url, certificate: { file: them.certPath }, allow_private_addresses: true, allow_http: true };
  return MailboxConfig.parse({
    our_ids: ['ZZ:US'],
    transport: {
      type: 'as2',
      inbound: join(dir, 'in'),
      outbound: join(dir, 'out'),
      archive: join(dir, 'archive'),
      quarantine: join(dir, 'quarantine'),
      as2_id: 'US',
      certificate: { file: us.certPath },
      private_key: { file: us.keyPath },
      receipt_url: receiptUrl,
      partners: { THEM: partner, 'THEM ASYNC': { ...partner, mdn: 'async' } },
    },
    partners: {
      'ZZ:THEM': { partner_id: 'P1', send: { standard: 'x12', via: 'as2', as2_partner: 'THEM' } },
      'ZZ:THEMASYNC': { partner_id: 'P2', send: { standard: 'x12', via: 'as2', as2_partner: 'THEM ASYNC' } },
    },
  });
}

beforeAll(async () => {
  us = peer.certificate('us');
  them = peer.certificate('them');
  ({ store, cleanup } = await tempSqliteStore());
  dir = mkdtempSync(join(tmpdir(), 'gb-as2-send-job-'));
  partnerServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const messageId = String(req.headers['message-id']);
      const got = opensslReceive(Buffer.concat(chunks));
      received.push({ messageId, headers: req.headers, ...got });
      if (mode === 'drop') {
        // The partner has the message, but its answer is lost on the way back.
        mode = 'processed';
        req.socket.destroy();
        return;
      }
      if (mode === 'async') {
        res.writeHead(200).end();
        return;
      }
      const mdn =
        mode === 'refuse'
          ? opensslMdn(messageId, 'processed/error: decryption-failed', null)
          : opensslMdn(messageId, 'processed', mode === 'wrong-mic' ? 'AAAA' + got.mic.slice(4) : got.mic);
      res.writeHead(200, { 'content-type': mdn.contentType }).end(mdn.body);
    });
  });
  await new Promise<void>((r) => partnerServer.listen(0, '127.0.0.1', r));
  partnerUrl = `http://127.0.0.1:${(partnerServer.address() as AddressInfo).port}/as2`;
  // Our MDN route on a real listener; the receipt URL we ask partners to POST asynchronous MDNs to.
  const app = new Hono();
  const placeholder = mailboxConfig(partnerUrl, 'http://127.0.0.1:1/as2/mdn');
  if (placeholder.transport.type !== 'as2') throw new Error('as2 transport expected');
  mountAs2MdnRoute(app, {
    db: store.db,
    setup: must(loadAs2Setup(placeholder.transport)),
    path: '/as2/mdn',
    now: () => Date.now(),
  });
  bridge = await listen(app, '127.0.0.1', 0);
  mailbox = mailboxConfig(partnerUrl, `${bridge.url}/as2/mdn`);
});
afterAll(async () => {
  await bridge.close();
  await new Promise((r) => partnerServer.close(r));
  await cleanup();
  peer.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  mode = 'processed';
  received = [];
});

const ctx = () =>
  ({ config: { mailbox, dispatcher: { max_attempts: 5 } }, store, now: () => Date.now() }) as unknown as SyncContext;

async function settle(o: JobOutcome): Promise<JobOutcome> {
  if (o.status === 'done' && o.commit) await store.db.transaction().execute(o.commit);
  return o;
}
let attempt = 0;
const runSend = async (key: string) =>
  settle(
    await sendEdiFileHandler(ctx())({ payload: { key }, attempt: ++attempt } as Parameters<
      ReturnType<typeof sendEdiFileHandler>
    >[0]),
  );
const runMdn = async (payload: EdiPartnerPayload<'edi.as2_mdn'>, n = 1) =>
  settle(await as2MdnInHandler(ctx())({ payload, attempt: n } as Parameters<ReturnType<typeof as2MdnInHandler>>[0]));

let seq = 0;
async function queueFile(address = 'ZZ:THEM'): Promise<string> {
  const key = `approval-${++seq}`;
  await insertEdiOutboundFile(store.db, {
    key,
    partner_id: address === 'ZZ:THEM' ? 'P1' : 'P2',
    partner_address: address,
    standard: 'x12',
    set_id: '865',
    interchange: String(seq).padStart(9, '0'),
    name: `gridbridge-865-${seq}.x12`,
    content: Buffer.from(X12),
    entity: 'approval',
    entity_id: key,
    state: 'queued',
    attempts: 0,
    error: null,
    created_at: Date.now(),
    sent_at: null,
  });
  return key;
}
const row = async (key: string) => (await getEdiOutboundFile(store.db, key))!;
const actions = async (key: string) => (await listAudit(store.db, 'approval', key)).map((a) => a.action);

const postMdn = (m: { contentType: string; body: Buffer }, from = 'THEM ASYNC') =>
  fetch(`${bridge.url}/as2/mdn`, {
    method: 'POST',
    body: new Uint8Array(m.body),
    headers: { 'content-type': m.contentType, 'as2-from': `"${from}"`, 'as2-to': 'US', 'as2-version': '1.2' },
  });
const mdnJobs = async () =>
  (await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'edi.as2_mdn').execute()).map(
    (j) => JSON.parse(j.payload) as EdiPartnerPayload<'edi.as2_mdn'>,
  );

describe('edi.send_file over AS2, with openssl cms as the partner', () => {
  it('sends a file openssl decrypts and verifies, and takes the synchronous MDN openssl signed with the MIC it computed', async () => {
    const key = await queueFile();
    expect(await runSend(key)).toMatchObject({ status: 'done' });
    expect(received).toHaveLength(1);
    expect(received[0]!.payload).toBe(X12);
    expect(received[0]!.headers).toMatchObject({ 'as2-from': 'US', 'as2-to': 'THEM' });
    expect(received[0]!.headers['receipt-delivery-option']).toBeUndefined();
    const r = await row(key);
    expect(r).toMatchObject({ state: 'sent', as2_partner: 'THEM', as2_message_id: received[0]!.messageId });
    expect(r.as2_mic).toBe(`${received[0]!.mic}, sha-256`);
    expect(r.as2_mdn).toMatch(/; processed$/);
    expect(await actions(key)).toEqual(['edi_sent']);
    // As the mailbox path does: the 865 now waits for the partner's FA, and a copy is in the archive.
    const waits = await store.db
      .selectFrom('mailbox_sent_transactions')
      .selectAll()
      .where('interchange', '=', '000000007')
      .execute();
    expect(waits.map((w) => [w.us_key, w.partner_key, w.transaction_control, w.fa])).toEqual([
      ['ZZ:US', 'ZZ:THEM', '0001', 'awaiting'],
    ]);
    expect(readdirSync(join(dir, 'archive')).some((n) => n.endsWith(r.name))).toBe(true);
    expect(existsSync(join(dir, 'out', r.name))).toBe(false);
    // Sent is sent: the job running again posts nothing.
    expect(await runSend(key)).toEqual({ status: 'done' });
    expect(received).toHaveLength(1);
  });

  it('after a lost answer sends again under the same Message-ID, never a new one', async () => {
    const key = await queueFile();
    mode = 'drop';
    const first = await runSend(key);
    expect(first).toMatchObject({ status: 'retry', error: expect.stringContaining(received[0]!.messageId) });
    expect(await row(key)).toMatchObject({ state: 'queued', as2_message_id: received[0]!.messageId });
    expect(await runSend(key)).toMatchObject({ status: 'done' });
    expect(received.map((m) => m.messageId)).toEqual([received[0]!.messageId, received[0]!.messageId]);
    expect(await row(key)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a refusing MDN fails the file with the partner’s reason, audited; a replay sends it under a new Message-ID', async () => {
    const key = await queueFile();
    mode = 'refuse';
    const o = await runSend(key);
    expect(o).toMatchObject({
      status: 'fail',
      error: expect.stringMatching(/refused it: processed\/error: decryption-failed/),
    });
    expect(await row(key)).toMatchObject({ state: 'failed', error: expect.stringMatching(/decryption-failed/) });
    expect(await actions(key)).toEqual(['edi_failed']);
    mode = 'processed';
    expect(await runSend(key)).toMatchObject({ status: 'done' });
    expect(received).toHaveLength(2);
    expect(received[1]!.messageId).not.toBe(received[0]!.messageId);
    expect(await row(key)).toMatchObject({ state: 'sent', as2_message_id: received[1]!.messageId });
  });

  it('an MDN whose MIC is not the one we computed fails the file', async () => {
    const key = await queueFile();
    mode = 'wrong-mic';
    expect(await runSend(key)).toMatchObject({
      status: 'fail',
      error: expect.stringMatching(/MIC .* is not the one we computed/),
    });
    expect(await row(key)).toMatchObject({ state: 'failed' });
  });

  it('asks for an asynchronous MDN, waits for it, and settles the file when the signed MDN reaches our route', async () => {
    const key = await queueFile('ZZ:THEMASYNC');
    mode = 'async';
    expect(await runSend(key)).toMatchObject({ status: 'done' });
    expect(received[0]!.headers['receipt-delivery-option']).toBe(`${bridge.url}/as2/mdn`);
    const id = received[0]!.messageId;
    expect(await row(key)).toMatchObject({ state: 'awaiting_mdn', as2_message_id: id });
    expect(await actions(key)).toEqual(['edi_as2_posted']);
    // Waiting: the job again posts nothing.
    expect(await runSend(key)).toEqual({ status: 'done' });
    expect(received).toHaveLength(1);

    // An MDN signed by someone else, or for a message we never sent, is refused and queues nothing.
    const forged = await postMdn(opensslMdn(id, 'processed', received[0]!.mic, us));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/MDN signature/);
    const stranger = await postMdn(opensslMdn('<nope@us>', 'processed', received[0]!.mic));
    expect(stranger.status).toBe(404);
    expect(await mdnJobs()).toHaveLength(0);

    const res = await postMdn(opensslMdn(id, 'processed', `${received[0]!.mic}`));
    expect(res.status).toBe(200);
    const [job] = await mdnJobs();
    expect(job).toMatchObject({ partner: 'THEM ASYNC', messageId: id, signed: true, processed: true });
    expect(await runMdn(job!)).toMatchObject({ status: 'done' });
    expect(await row(key)).toMatchObject({ state: 'sent' });
    expect(await actions(key)).toEqual(['edi_as2_posted', 'edi_sent']);
    await store.db.deleteFrom('jobs').execute();
  });

  it('a refusing asynchronous MDN fails the file; replaying that dead letter queues the file again', async () => {
    const key = await queueFile('ZZ:THEMASYNC');
    mode = 'async';
    await runSend(key);
    const id = received[0]!.messageId;
    expect((await postMdn(opensslMdn(id, 'processed/error: authentication-failed', null))).status).toBe(200);
    const [job] = await mdnJobs();
    expect(await runMdn(job!)).toMatchObject({
      status: 'fail',
      error: expect.stringMatching(/refused it: processed\/error: authentication-failed/),
    });
    expect(await row(key)).toMatchObject({ state: 'failed' });
    expect(await actions(key)).toEqual(['edi_as2_posted', 'edi_failed']);
    // The same MDN job on its first run again (a repeat) changes nothing; replayed (attempt 2), it queues a send.
    expect(await runMdn(job!)).toEqual({ status: 'done' });
    expect(await runMdn(job!, 2)).toMatchObject({ status: 'done' });
    const sends = await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'edi.send_file').execute();
    expect(sends.map((j) => JSON.parse(j.payload) as unknown)).toEqual([{ key }]);
    await store.db.deleteFrom('jobs').execute();
  });
});

describe('an asynchronous MDN that does not come', () => {
  it('after mdn_wait_minutes the file is a dead letter; replayed, it goes again under the same Message-ID, and a late MDN still settles it', async () => {
    await store.db.deleteFrom('jobs').execute();
    const key = await queueFile('ZZ:THEMASYNC');
    mode = 'async';
    const before = Date.now();
    await runSend(key);
    const id = received[0]!.messageId;
    const [due] = await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'edi.as2_mdn_overdue').execute();
    expect(Number(due!.run_at)).toBeGreaterThanOrEqual(before + 120 * 60_000);
    const payload = JSON.parse(due!.payload) as EdiPartnerPayload<'edi.as2_mdn_overdue'>;
    expect(payload).toEqual({ key, messageId: id, minutes: 120 });
    const overdue = (n: number) =>
      as2MdnOverdueHandler(ctx())({ payload, attempt: n } as Parameters<ReturnType<typeof as2MdnOverdueHandler>>[0]);

    expect(await overdue(1)).toMatchObject({
      status: 'fail',
      error: expect.stringMatching(/no asynchronous MDN within 120 minutes/),
    });
    expect(await row(key)).toMatchObject({ state: 'queued', as2_message_id: id });
    expect(await actions(key)).toEqual(['edi_as2_posted', 'edi_mdn_overdue']);

    // Replayed: a send job is queued, and it posts the same Message-ID.
    await settle(await overdue(2));
    const sends = await store.db.selectFrom('jobs').selectAll().where('kind', '=', 'edi.send_file').execute();
    expect(sends).toHaveLength(1);
    await runSend(key);
    expect(received.map((m) => m.messageId)).toEqual([id, id]);
    expect(await row(key)).toMatchObject({ state: 'awaiting_mdn' });

    expect((await postMdn(opensslMdn(id, 'processed', received[1]!.mic))).status).toBe(200);
    const [job] = await mdnJobs();
    await runMdn(job!);
    expect(await row(key)).toMatchObject({ state: 'sent', as2_message_id: id });
    // The wait that was due for the resend finds the file settled and does nothing.
    expect(await overdue(1)).toEqual({ status: 'done' });
    await store.db.deleteFrom('jobs').execute();
  });
});

describe('send.via as2 in config', () => {
  const base = () => mailbox as unknown as { transport: Record<string, unknown>; partners: unknown; our_ids: string[] };
  it.each([
    [{ as2_partner: 'NOBODY' }, null, /NOBODY.{0,4} is not a partner of mailbox.transport.partners/],
    [{}, null, /via: as2 needs as2_partner/],
    [{ as2_partner: 'THEM ASYNC' }, { receipt_url: undefined }, /mdn is async: set mailbox.transport.receipt_url/],
  ])('refuses %o at load', (send, transport, message) => {
    const b = base();
    const r = MailboxConfig.safeParse({
      our_ids: b.our_ids,
      transport: { ...b.transport, ...(transport ?? {}) },
      partners: { 'ZZ:X': { partner_id: 'P9', send: { standard: 'x12', via: 'as2', ...send } } },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });

  it('refuses a partner left on via: mailbox when the transport is as2 (no outbound folder is read); one without send is fine', () => {
    const b = base();
    const parse = (partner: Record<string, unknown>) =>
      MailboxConfig.safeParse({ our_ids: b.our_ids, transport: b.transport, partners: { 'ZZ:X': partner } });
    const r = parse({ partner_id: 'P9', send: { standard: 'x12' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([
      expect.objectContaining({
        path: ['partners', 'ZZ:X', 'send', 'via'],
        message: expect.stringMatching(/transport.type is as2, so nothing reads an outbound folder/),
      }),
    ]);
    expect(parse({ partner_id: 'P9' }).success).toBe(true);
  });
});
