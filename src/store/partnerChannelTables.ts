/** Row types of the partner channel (migration 013_partner_channel). Times are ms epochs. */

/** One e-mail to one contact: the idempotency record of its sending. */
export interface PartnerMessagesTable {
  /** Idempotency key (the job's key plus the address): one row, one mail, however often the job runs. */
  key: string;
  partner_id: string;
  kind: string;
  /** What the message is about: case, approval, rollout, scorecard. */
  entity: string;
  entity_id: string;
  recipient: string;
  language: string | null;
  /** queued (waiting for its digest or its job), sending (handed to SMTP, outcome not recorded yet), sent, failed, digested. */
  state: string;
  /** Deterministic Message-ID, the same on every attempt. */
  message_id: string;
  subject: string | null;
  /** The facts the templates render (JSON). */
  data: string;
  attempts: number;
  /** The SMTP server's last answer. */
  smtp_response: string | null;
  /** When held for a digest: the digest it went out in. */
  digest_key: string | null;
  created_at: number;
  sent_at: number | null;
}

/** A signed page link handed to one partner contact: revocable, every use audited. */
export interface PartnerTokensTable {
  jti: string;
  partner_id: string;
  entity: string;
  entity_id: string;
  recipient: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  last_used_at: number | null;
}

/** Files shared with a partner (flow 3), kept so a link can serve what is too large to attach. */
export interface PartnerFilesTable {
  case_id: string;
  sha256: string;
  name: string;
  content_type: string;
  size_bytes: number;
  content: Buffer;
  created_at: number;
}

/** What a partner did on a page: stored first (the inbox of the partner channel), then synced to ClickUp once. */
export interface PartnerActionsTable {
  id: string;
  jti: string;
  partner_id: string;
  entity: string;
  entity_id: string;
  action: string;
  data: string;
  at: number;
}

/** Partner page requests per key and one-minute window (migration 017), shared by every instance. */
export interface PartnerPageHitsTable {
  key: string;
  window: number;
  n: number;
}

export interface PartnerChannelTables {
  partner_messages: PartnerMessagesTable;
  partner_tokens: PartnerTokensTable;
  partner_files: PartnerFilesTable;
  partner_actions: PartnerActionsTable;
  partner_page_hits: PartnerPageHitsTable;
}
