import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDocument } from './documentCheck.ts';
import { mediaType } from '../../core/mediaType.ts';
import { multipartBody, uploadAttachment } from '../../connectors/clickup/attachments.ts';
import { attachRequestDocumentHandler } from '../06-approvals/handlers/approvals.ts';
import { uploadToClickUpHandler } from '../03-documents/uploadToClickUpHandler.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import { recordLink } from '../../store/ops/links.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';

const limits = { max_bytes: 16, content_types: ['application/pdf', 'text/plain'] };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const body = (b: Buffer | string) => Readable.from([Buffer.from(b)]);

describe('mediaType', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['Application/PDF; charset=binary', 'application/pdf'],
    ['  text/plain ', 'text/plain'],
    [
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
  ])('%j → %j', (raw, want) => expect(mediaType(raw)).toBe(want));

  it.each([
    'text/plain\r\nX-Injected: 1',
    'text/plain\nContent-Disposition: x',
    'text/plain\r',
    'application/pdf\u0000',
    'text',
    'text/',
    '/plain',
    'text/pl ain',
    'text/plain/x',
    '',
    undefined,
  ])('refuses %j', (raw) => {
    expect(mediaType(raw)).toBeNull();
  });
});

describe('checkDocument (one check for every path)', () => {
  it('passes a file within the limits whose hash matches, with its bare type', async () => {
    const b = Buffer.from('hello');
    expect(
      await checkDocument(body(b), { label: 'doc', contentType: 'text/plain; charset=utf-8', sha256: sha(b) }, limits),
    ).toEqual({ ok: true, data: b, sha256: sha(b), contentType: 'text/plain' });
  });
  it('refuses a type with CR/LF (fail, final), a type not allowed (fail), a file over max_bytes (fail), a hash that disagrees (retry)', async () => {
    const b = Buffer.from('hello');
    expect(
      await checkDocument(body(b), { label: 'doc', contentType: 'text/plain\r\nX-Evil: 1' }, limits),
    ).toMatchObject({
      ok: false,
      outcome: { status: 'fail', error: expect.stringMatching(/not a well-formed media type/) },
    });
    expect(await checkDocument(body(b), { label: 'doc', contentType: 'text/html' }, limits)).toMatchObject({
      ok: false,
      outcome: { status: 'fail', error: expect.stringMatching(/not in documents.content_types/) },
    });
    expect(
      await checkDocument(body('x'.repeat(17)), { label: 'doc', contentType: 'text/plain' }, limits),
    ).toMatchObject({ ok: false, outcome: { status: 'fail', error: expect.stringMatching(/16-byte limit/) } });
    expect(
      await checkDocument(
        body(b),
        { label: 'doc', contentType: 'text/plain', sha256: sha(Buffer.from('other')) },
        limits,
      ),
    ).toMatchObject({ ok: false, outcome: { status: 'retry', error: expect.stringMatching(/hash to/) } });
  });
});

describe('the multipart header', () => {
  it('never carries a CR/LF from a content type: the upload is refused before anything is sent', async () => {
    let sent = 0;
    const c = {
      teamId: 't',
      t: {
        request: async () => {
          sent++;
          return { ok: true, value: {} };
        },
      },
    } as unknown as Parameters<typeof uploadAttachment>[0];
    const r = await uploadAttachment(c, 'task1', {
      filename: 'a.pdf',
      contentType: 'application/pdf\r\nContent-Type: text/html',
      data: Buffer.from('x'),
    });
    expect(r.ok).toBe(false);
    expect(sent).toBe(0);
    const { body: mp } = multipartBody('attachment', {
      filename: 'a\r\n.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('x'),
    });
    expect(
      mp
        .toString('latin1')
        .split('\r\n')
        .filter((l) => /^Content-/i.test(l)),
    ).toHaveLength(2);
  });
});

// The approvals upload path (flow 6, `approval.attach_document`) and flow 3's `clickup.upload_document`
// refuse the same files: before, the approvals path read any type and skipped the sha256.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function handlerWorld(doc: { content_type: string; sha256: string; bytes: Buffer }) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  await recordLink(tmp.store.db, { entity: 'approval', entityId: 'R1', cuTaskId: 'T-approval', cuListId: 'L' }, 1);
  await recordLink(tmp.store.db, { entity: 'case', entityId: 'C1', cuTaskId: 'T-case', cuListId: 'L' }, 1);
  const uploads: Array<{ contentType: string }> = [];
  const meta = {
    id: 'D1',
    case_id: 'C1',
    name: 'terms.pdf',
    kind: 'contract',
    content_type: doc.content_type,
    size_bytes: doc.bytes.length,
    sha256: doc.sha256,
    uploaded_by: 'partner',
    created_at: '2026-01-01T00:00:00Z',
  };
  const ctx = {
    store: tmp.store,
    now: () => 1_000,
    config: { documents: { max_bytes: 1024, content_types: ['application/pdf'] } },
    tg: { downloadDocument: async () => ({ ok: true, value: { meta, body: body(doc.bytes) } }) },
    clickup: {
      uploadAttachment: async (_task: string, f: { contentType: string }) => (
        uploads.push(f),
        { ok: true, value: { id: 'A1' } }
      ),
      getTask: async () => ({ ok: true, value: { attachments: [] } }),
    },
  } as never;
  return { ctx, uploads };
}

describe.each([
  [
    'approvals (approval.attach_document)',
    (ctx: never): TypedJobHandler<never> => attachRequestDocumentHandler(ctx),
    { requestId: 'R1', documentId: 'D1' },
  ],
  [
    'flow 3 (clickup.upload_document)',
    (ctx: never): TypedJobHandler<never> => uploadToClickUpHandler(ctx),
    { kind: 'clickup.upload_document', caseId: 'C1', documentId: 'D1' },
  ],
])('%s uses the shared document check', (_name, make, payload) => {
  const pdf = Buffer.from('%PDF-1.7 ok');
  const run = async (doc: { content_type: string; sha256: string; bytes: Buffer }) => {
    const w = await handlerWorld(doc);
    const out = await make(w.ctx)({ job: {} as never, payload: payload as never, attempt: 1, now: () => 1_000 });
    return { out, uploads: w.uploads };
  };

  it('uploads a good file with its bare type', async () => {
    const r = await run({ content_type: 'application/pdf; x=1', sha256: sha(pdf), bytes: pdf });
    expect(r.out.status).toBe('done');
    expect(r.uploads).toEqual([expect.objectContaining({ contentType: 'application/pdf' })]);
  });
  it('refuses a content type carrying CR/LF', async () => {
    const r = await run({ content_type: 'application/pdf\r\nX-Evil: 1', sha256: sha(pdf), bytes: pdf });
    expect(r.out).toMatchObject({ status: 'fail', error: expect.stringMatching(/well-formed/) });
    expect(r.uploads).toEqual([]);
  });
  it('refuses a type not on documents.content_types', async () => {
    const r = await run({ content_type: 'text/html', sha256: sha(pdf), bytes: pdf });
    expect(r.out).toMatchObject({ status: 'fail', error: expect.stringMatching(/content_types/) });
    expect(r.uploads).toEqual([]);
  });
  it('refuses bytes whose sha256 disagrees with the metadata', async () => {
    const r = await run({ content_type: 'application/pdf', sha256: sha(Buffer.from('something else')), bytes: pdf });
    expect(r.out).toMatchObject({ status: 'retry', error: expect.stringMatching(/hash to/) });
    expect(r.uploads).toEqual([]);
  });
});
