import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { uploadToTradingGridHandler } from './uploadToTradingGridHandler.ts';

// Flow 3, ClickUp → Trading Grid: the file's content type goes through the same check as every other file the
// bridge passes on (core/mediaType.ts, documents.content_types compared without case), like checkDocument does for
// the other direction. Before, this handler cut the type at ';' itself: a type carrying CR/LF went on (the
// multipart writer only strips the CR/LF), and an allow-list entry written in capitals refused every such file
// here while the Trading Grid → ClickUp direction accepted it.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function run(contentType: string | null, downloadType: string | undefined, allowed: string[]) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const uploads: Array<{ contentType: string }> = [];
  const ctx = {
    store: tmp.store,
    now: () => 1_000,
    config: { documents: { max_bytes: 1024, content_types: allowed }, sync: { clickup_upload_kind: 'corrected' } },
    clickup: {
      downloadAttachment: async () => ({
        ok: true,
        value: { contentType: downloadType, contentLength: 3, body: Readable.from([Buffer.from('pdf')]) },
      }),
    },
    tg: {
      uploadCaseDocument: async (_case: string, doc: { contentType: string }) => (
        uploads.push(doc),
        { ok: true, value: { id: 'TGD-1' } }
      ),
    },
  } as never;
  const out = await uploadToTradingGridHandler(ctx)({
    job: { key: 'k' } as never,
    payload: { caseId: 'C1', attachmentId: 'A1', url: 'https://x/a.pdf', title: 'a.pdf', contentType },
    attempt: 1,
    now: () => 1_000,
  });
  return {
    status: out.status,
    error: out.status === 'done' ? undefined : out.error,
    sent: uploads.map((u) => u.contentType),
  };
}

describe('tradinggrid.upload_document: the content type checked like every file', () => {
  it.each<[string, string | null, string | undefined, string[], object]>([
    [
      'a type with parameters, bare',
      'application/pdf; name=a.pdf',
      undefined,
      ['application/pdf'],
      { status: 'done', sent: ['application/pdf'] },
    ],
    [
      "ClickUp's download type when the event had none",
      null,
      'Application/PDF',
      ['application/pdf'],
      { status: 'done', sent: ['application/pdf'] },
    ],
    [
      'no type at all: octet-stream',
      null,
      undefined,
      ['application/octet-stream'],
      { status: 'done', sent: ['application/octet-stream'] },
    ],
    [
      'an allow-list entry in capitals',
      'application/pdf',
      undefined,
      ['Application/PDF'],
      { status: 'done', sent: ['application/pdf'] },
    ],
    [
      'a type not allowed',
      'text/html',
      undefined,
      ['application/pdf'],
      {
        status: 'fail',
        error: 'attachment a.pdf has content type text/html, not in documents.content_types',
        sent: [],
      },
    ],
    [
      'a type carrying CR/LF, any type allowed',
      'application/pdf\r\nX-Evil: 1',
      undefined,
      [],
      {
        status: 'fail',
        error: 'attachment a.pdf: content type "application/pdf\\r\\nX-Evil: 1" is not a well-formed media type',
        sent: [],
      },
    ],
  ])('%s', async (_n, type, downloadType, allowed, want) => {
    expect(await run(type, downloadType, allowed)).toMatchObject(want);
  });
});
