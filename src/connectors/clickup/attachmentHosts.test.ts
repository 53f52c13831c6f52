import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { GridbridgeConfigShape } from '../../config/schema.ts';
import { hostAllowed } from '../http/ssrfGuard.ts';
import { DEFAULT_ATTACHMENT_HOSTS } from './attachments.ts';
import { createClickUpClient, type ClickUpClient } from './client.ts';

const tls = {
  cert: readFileSync(new URL('../../../test/fixtures/tls/clickup-attachments.cert.pem', import.meta.url)),
  key: readFileSync(new URL('../../../test/fixtures/tls/clickup-attachments.key.pem', import.meta.url)),
};

describe("ClickUp's real attachment hosts are allowed by default, by pattern", () => {
  // Files uploaded to ClickUp are served from t{workspace}.p.clickup-attachments.com (and u{user}.… for
  // some), profile pictures and public files from attachments-public.clickup.com.
  const configDefault = (GridbridgeConfigShape.shape.clickup as any).shape.attachment_hosts.parse(
    undefined,
  ) as string[];
  it.each([
    ['t9015123456.p.clickup-attachments.com', true],
    ['u234214232.p.clickup-attachments.com', true],
    ['attachments-public.clickup.com', true],
    ['attachments.clickup.com', true],
    ['clickup-attachments.com.evil.example', false],
    ['evilclickup-attachments.com', false],
    ['127.0.0.1', false],
  ])('%s → %s', (host, allowed) => {
    expect(hostAllowed(host, DEFAULT_ATTACHMENT_HOSTS)).toBe(allowed);
    expect(hostAllowed(host, configDefault)).toBe(allowed);
  });
});

let sb: ClickUpSandbox | undefined;
let cu: ClickUpClient | undefined;
afterEach(async () => {
  await cu?.close();
  await sb?.close();
  sb = cu = undefined;
});

async function withFile(guard: Record<string, unknown>) {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null, attachmentTls: tls });
  const toLoopback = async () => [{ address: '127.0.0.1', family: 4 }];
  cu = createClickUpClient({
    baseUrl: sb.url,
    token: sb.token,
    teamId: sb.teamId,
    attachmentFetch: { resolve: toLoopback, tlsCa: tls.cert, ...guard },
  });
  const t = await cu.createTask(sb.lists.cases, { name: 'with a file' });
  if (!t.ok) throw new Error(t.error.detail);
  const a = sb.attachFile(t.value.id, {
    filename: 'pod.pdf',
    contentType: 'application/pdf',
    data: Buffer.from('%PDF pod'),
  });
  return String(a.url);
}

describe('attachments served under ClickUp host names over https (resolved to loopback for the test)', () => {
  it('the sandbox names its files as ClickUp does, and the client downloads them over https', async () => {
    const url = await withFile({ allowPrivateAddresses: true, allowHttp: false });
    expect(url).toMatch(/^https:\/\/t9015123456\.p\.clickup-attachments\.com:\d+\/t9015123456\/[^/]+\/pod\.pdf$/);
    const d = await cu!.downloadAttachment(url);
    if (!d.ok) throw new Error(d.error.detail);
    const chunks: Buffer[] = [];
    for await (const c of d.value.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('%PDF pod');
  });

  it('plain http to the same host is refused (https only)', async () => {
    const url = await withFile({ allowPrivateAddresses: true, allowHttp: false });
    const d = await cu!.downloadAttachment(url.replace('https:', 'http:'));
    expect(!d.ok && d.error.code).toMatch(/scheme_not_allowed/);
  });

  it('the SSRF guard still applies to an allowed ClickUp host: one that resolves to loopback is refused', async () => {
    const url = await withFile({});
    const d = await cu!.downloadAttachment(url);
    expect(!d.ok && d.error.code).toBe('http:address_blocked');
  });
});
