import { createHash } from 'node:crypto';
import type { Result } from '../../core/result.ts';
import type { PartnerChannelSection } from '../../config/partnerChannelSchema.ts';
import type { OutgoingMail, SentMail } from '../../connectors/email/smtpMailer.ts';
import type { ContactBook } from './contacts.ts';
import type { TemplateSet } from './messages.ts';

/** What sends one e-mail (the SMTP connector; a test may pass its own). */
export interface MailSender {
  send(m: OutgoingMail): Promise<Result<SentMail>>;
  close(): void;
}

/** The partner channel as the job handlers and the partner pages use it. Built once at start-up. */
export interface PartnerChannelRuntime {
  section: PartnerChannelSection;
  contacts: ContactBook;
  templates: TemplateSet;
  /** Null when no SMTP server is configured (no partner uses e-mail). */
  mailer: MailSender | null;
  /** HMAC key of the page links; null when pages cannot be offered (the e-mails then carry no link). */
  pageKey: Buffer | null;
  /** Where the links point (public_url or the bridge's own address), without a trailing slash. */
  pagesBaseUrl: () => string;
  from: string;
  replyTo?: string;
  /** Envelope sender of partner e-mail when bounces are read (partner_channel.bounces.return_path). */
  returnPath?: string;
  /** Shown in the mails ("<senderName> partner desk"). */
  senderName: string;
}

/** The domain part of the From address, for Message-IDs (`gridbridge.invalid` when there is none). */
export function messageIdDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'gridbridge.invalid';
}

/** A Message-ID derived from the message's idempotency key: the same on every attempt (RFC 5322 §3.6.4). */
export function deterministicMessageId(key: string, from: string): string {
  return `<gb.${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${messageIdDomain(from)}>`;
}
