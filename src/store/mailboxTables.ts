/** Row types of the mailbox and ac_csv driver state (migration 006_mailbox). Times are ms epochs. */

export interface MailboxProcessedFilesTable {
  mailbox: string;
  name: string;
  sha256: string;
  outcome: string;
  stored_as: string | null;
  processed_at: number;
}

export interface MailboxSentTransactionsTable {
  mailbox: string;
  /** Our sending address `qualifier:id`: control numbers are unique only per sender. */
  us_key: string;
  interchange: string;
  /** '' when the standard has no group (EDIFACT without UNG). */
  group_control: string;
  transaction_control: string;
  partner_key: string;
  business_value: string | null;
  fa: string;
  fa_due_at: number;
  sent_at: number;
  /** The whole sent transaction as JSON (columns above are the searched projections). */
  data: string;
}

export interface MailboxOrdersTable {
  mailbox: string;
  partner_key: string;
  po_number: string;
  asn_seen: number;
  asn_missing_reported: number;
  asn_due_at: number;
  received_at: number;
  data: string;
}

export interface MailboxShipmentsTable {
  mailbox: string;
  partner_key: string;
  po_number: string;
  /** Which 856 (file hash + control numbers): the same one read twice is stored once. */
  source: string;
  /** Shipped lines of one 856 for this PO, JSON. */
  lines: string;
  created_at: number;
}

export interface AcPartnerSnapshotTable {
  partner_id: string;
  status: string;
  data: string;
  updated_at: number;
}

export interface MailboxTables {
  mailbox_processed_files: MailboxProcessedFilesTable;
  mailbox_sent_transactions: MailboxSentTransactionsTable;
  mailbox_orders: MailboxOrdersTable;
  mailbox_shipments: MailboxShipmentsTable;
  ac_partner_snapshot: AcPartnerSnapshotTable;
}
