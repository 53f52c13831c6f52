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
  /** queued → sent. */
  state: string;
  attempts: number;
  error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface EdiOutboundTables {
  edi_control_numbers: EdiControlNumbersTable;
  edi_outbound_files: EdiOutboundFilesTable;
}
