/** Row types of the EDI we write to partners (migration 018_edi_outbound). Times are ms epochs. */

export interface EdiControlNumbersTable {
  /** `standard|sender|receiver` (addresses as qualifier:id): control numbers are unique per sender, kept per pair. */
  scope: string;
  /** `interchange`, `group` or `transaction`. */
  kind: string;
  last: number;
  updated_at: number;
}

export interface EdiOutboundFilesTable {
  /** Idempotency key of the file (e.g. the decision it carries): queued once however often its job runs. */
  key: string;
  partner_id: string;
  /** The partner's EDI address, qualifier:id. */
  partner_address: string;
  standard: string;
  /** What the file carries: 865, ORDRSP, 824, 864, APERAK, 997, 999, TA1, CONTRL. */
  set_id: string;
  /** ISA13 / UNB 0020 as written. */
  interchange: string;
  name: string;
  content: Buffer;
  /** What the file is about (approval, case, mailbox file), for the console and the audit. */
  entity: string;
  entity_id: string;
  /**
   * queued → sent; over AS2 also awaiting_mdn (posted, an asynchronous MDN asked for) and failed (the partner's
   * MDN refused it, or returned another MIC).
   */
  state: string;
  attempts: number;
  error: string | null;
  created_at: number;
  sent_at: number | null;
  /** Over AS2: the partner's AS2 id, the Message-ID (the same on every attempt), the MIC we computed, the MDN's disposition. */
  as2_partner?: string | null;
  as2_message_id?: string | null;
  as2_mic?: string | null;
  as2_mdn?: string | null;
}

export interface EdiOutboundTables {
  edi_control_numbers: EdiControlNumbersTable;
  edi_outbound_files: EdiOutboundFilesTable;
}
