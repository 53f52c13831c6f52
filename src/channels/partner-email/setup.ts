import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { PartnerChannelSection } from '../../config/partnerChannelSchema.ts';
import { SmtpMailer } from '../../connectors/email/smtpMailer.ts';
import { buildContactBook, parseAcContacts, type PartnerContact } from './contacts.ts';
import { TemplateSet } from './messages.ts';
import type { MailSender, PartnerChannelRuntime } from './runtime.ts';

export interface PartnerChannelInputs {
  section: PartnerChannelSection;
  /** Resolved `smtp.password`. */
  smtpPassword?: string;
  pageKey: Buffer | null;
  pagesBaseUrl: () => string;
  senderName: string;
  logger?: Logger;
  /** A sender other than SMTP (tests of what happens around sending). */
  mailer?: MailSender;
}

/** Build the runtime: contacts (config + AC export), templates, the SMTP sender. Problems are listed, not thrown. */
export function buildPartnerChannel(i: PartnerChannelInputs): {
  runtime: PartnerChannelRuntime;
  problems: string[];
  warnings: string[];
} {
  const problems: string[] = [];
  const warnings: string[] = [];
  const s = i.section;
  let ac: PartnerContact[] = [];
  if (s.ac_contacts_csv) {
    try {
      const parsed = parseAcContacts(s.ac_contacts_csv, readFileSync(s.ac_contacts_csv));
      ac = parsed.contacts;
      for (const p of parsed.problems)
        warnings.push(`partner_channel.ac_contacts_csv ${p.file} line ${p.line}: ${p.message}`);
    } catch (e) {
      problems.push(`partner_channel.ac_contacts_csv: cannot read ${s.ac_contacts_csv}: ${(e as Error).message}`);
    }
  }
  const contacts = buildContactBook(s, ac);
  const templates = new TemplateSet(s.templates_dir);
  try {
    for (const kind of [
      'case_status',
      'case_comment',
      'case_document',
      'decision',
      'scorecard',
      'notice',
      'notice_reminder',
      'digest',
      'layout',
    ] as const) {
      if (kind !== 'layout') templates.read(kind, 'subject.txt', null);
      templates.read(kind, 'txt', null);
      templates.read(kind, 'html', null);
    }
  } catch (e) {
    problems.push(`partner_channel.templates_dir: ${(e as Error).message}`);
  }
  const mailer =
    i.mailer ??
    (s.smtp
      ? new SmtpMailer({
          host: s.smtp.host,
          port: s.smtp.port,
          security: s.smtp.security,
          user: s.smtp.user,
          password: i.smtpPassword,
          timeoutMs: s.smtp.timeout_ms,
          allowSelfSigned: s.smtp.allow_self_signed,
          logger: i.logger,
        })
      : null);
  const usesEmail = Object.keys(s.partners).length > 0 || s.default_channels.includes('email');
  if (usesEmail && !i.pageKey)
    warnings.push(
      'partner pages have no key (partner_channel.pages.key, or secrets.key to keep a generated one): e-mails go out without page links',
    );
  for (const [partnerId, p] of Object.entries(s.partners)) {
    const emailSomewhere =
      (p.channels ?? s.default_channels).includes('email') || Object.values(p.flows).some((f) => f?.includes('email'));
    if (emailSomewhere && contacts.all(partnerId).length === 0)
      warnings.push(
        `partner ${partnerId} uses the email channel but has no contact (partner_channel.partners.${partnerId}.contacts or the AC contacts export)`,
      );
  }
  return {
    runtime: {
      section: s,
      contacts,
      templates,
      mailer,
      pageKey: i.pageKey,
      pagesBaseUrl: i.pagesBaseUrl,
      from: s.smtp?.from ?? 'gridbridge@gridbridge.invalid',
      replyTo: s.smtp?.reply_to,
      returnPath: s.bounces?.return_path,
      senderName: i.senderName,
    },
    problems,
    warnings,
  };
}
