import { createHash, randomBytes } from 'node:crypto';
import { createWorld, eventually, type World } from './world.ts';
import { startTestSmtp, type ReceivedMail, type TestSmtp } from './smtpServer.ts';
import type { Bridge, BridgeOptions } from '../../src/server/bridge.ts';

export const MAIL_PARTNER = 'P-UMBRELLA';
export const PAGES_KEY_ENV = 'GRIDBRIDGE_TEST_PARTNER_PAGES_KEY';

/**
 * Both sandboxes, a real SMTP server, and a bridge where Umbrella Foods has no community API and no EDI
 * map: every partner-facing flow reaches it by e-mail and its pages only.
 */
export async function createEmailPartnerWorld(
  o: { digest?: boolean; admin?: BridgeOptions['admin'] } = {},
): Promise<{ w: World; b: Bridge; smtp: TestSmtp; pagesKey: Buffer; close: () => Promise<void> }> {
  const smtp = await startTestSmtp({ user: 'bridge', password: 'smtp-pass' });
  const keyText = randomBytes(32).toString('base64url');
  process.env[PAGES_KEY_ENV] = keyText;
  process.env['GRIDBRIDGE_TEST_SMTP_PASSWORD'] = 'smtp-pass';
  const w = await createWorld({
    partners: {
      'P-ACME': { name: 'Acme Retail' },
      'P-GLOBEX': { name: 'Globex Logistics' },
      'P-INITECH': { name: 'Initech Supply' },
      [MAIL_PARTNER]: { name: 'Umbrella Foods' },
    },
    extra: {
      partner_channel: {
        partners: {
          [MAIL_PARTNER]: {
            channels: ['email'],
            contacts: [
              { name: 'Uma Ops', email: 'uma@umbrella.example', role: 'operations' },
              { name: 'Finn Finance', email: 'finn@umbrella.example', role: 'finance' },
            ],
            ...(o.digest ? { digest: true } : {}),
          },
        },
        roles: {
          operations: ['case_status', 'case_comment', 'case_document', 'decision', 'notice', 'notice_reminder'],
          finance: ['scorecard'],
        },
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          security: 'none',
          user: 'bridge',
          password: { env: 'GRIDBRIDGE_TEST_SMTP_PASSWORD' },
          from: 'Gridbridge Partner Desk <partners@bridge.example>',
          timeout_ms: 3000,
        },
        pages: { key: { env: PAGES_KEY_ENV }, token_ttl_hours: 24, rate_limit_per_minute: 200 },
      },
    },
  });
  const b = await w.startBridge(o.admin ? { admin: o.admin } : {});
  return {
    w,
    b,
    smtp,
    pagesKey: createHash('sha256').update(keyText).digest(),
    close: async () => {
      await w.close();
      await smtp.close();
    },
  };
}

/** The mails to one address whose subject matches. */
export function mailsTo(smtp: TestSmtp, address: string, subject?: RegExp): ReceivedMail[] {
  return smtp.received.filter(
    (m) => m.envelopeTo.includes(address) && (!subject || subject.test(m.parsed.subject ?? '')),
  );
}

export async function waitForMail(
  smtp: TestSmtp,
  address: string,
  subject: RegExp,
  timeoutMs = 30_000,
): Promise<ReceivedMail> {
  return eventually(`a mail to ${address} matching ${subject}`, () => mailsTo(smtp, address, subject)[0], timeoutMs);
}

/** The partner page link in a received mail (the same in its text and HTML parts). */
export function pageLink(m: ReceivedMail): string {
  const link = /(http:\/\/127\.0\.0\.1:\d+\/p\/[\w.-]+)/.exec(m.parsed.text ?? '')?.[1];
  if (!link) throw new Error(`no page link in "${m.parsed.subject}"`);
  return link;
}

export const EDI_MAIL_PARTNER = 'P-GLOBEX';
export const GUS = 'gus@globex.example';

/**
 * A deployment with no community endpoint at all (tradinggrid.driver: mailbox, a folder mailbox, no EDI map
 * for a status) where Globex is reached by e-mail and its pages only: flows 2, 3, 6, 7 and 8 for it run
 * without the community API (rollouts are kept: notices go by e-mail). `dir(d)` is the mailbox folder `d`.
 */
export async function createNoEndpointEmailWorld(): Promise<{
  w: World;
  b: Bridge;
  smtp: TestSmtp;
  dir: (d: string) => string;
  close: () => Promise<void>;
}> {
  const { mkdtempSync, mkdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const root = mkdtempSync(join(tmpdir(), 'gb-edi-email-'));
  const dir = (d: string) => join(root, d);
  for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(dir(d), { recursive: true });
  const smtp = await startTestSmtp();
  process.env['GRIDBRIDGE_TEST_EDI_PAGES_KEY'] = randomBytes(30).toString('base64url');
  const w = await createWorld({
    ediOnly: true,
    partners: { [EDI_MAIL_PARTNER]: { name: 'Globex Logistics' } },
    extra: {
      mailbox: {
        name: 'edi',
        transport: {
          type: 'folder',
          inbound: dir('in'),
          outbound: dir('out'),
          archive: dir('archive'),
          quarantine: dir('quarantine'),
        },
        scan_cron: '0 0 1 1 *',
        our_ids: ['ZZ:GRIDBRIDGE'],
        partners: { '02:CARR': { partner_id: EDI_MAIL_PARTNER } },
      },
      partner_channel: {
        partners: { [EDI_MAIL_PARTNER]: { channels: ['email'], contacts: [{ name: 'Gus Globex', email: GUS }] } },
        smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'Partner Desk <partners@bridge.example>' },
        pages: { key: { env: 'GRIDBRIDGE_TEST_EDI_PAGES_KEY' }, rate_limit_per_minute: 500 },
      },
    },
  });
  const b = await w.startBridge();
  return {
    w,
    b,
    smtp,
    dir,
    close: async () => {
      await w.close();
      await smtp.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
