import type { CaseRecord, PartnerStatus } from '../../../core/case.ts';

/** The documents a case status can travel as over EDI (`mailbox.partners.<address>.send.status`). */
export type StatusDocument = '824' | '864' | 'APERAK';

/**
 * The codes one status advice carries. Written by `connectors/tradinggrid/edi/partnerDocuments.ts`
 * (`x12StatusAdvice`, `edifactStatusAdvice`); docs/edi.md, "Case statuses we send", says why each.
 */
export interface StatusAdviceCodes {
  /** The status in words, as the advice writes it after `STATUS ` (824 REF*ZZ, 864 MSG, APERAK FTX). */
  text: string;
  /** 824 BGN01 (353): 00 original for the case's first advice, 05 replace for each later one. */
  purpose: '00' | '05';
  /** 824 OTI01 (110): TA, transaction set accept. A case status never rejects the partner's document. */
  appAck: 'TA';
  /** APERAK BGM 1225: 9 original for the case's first advice, 5 replace for each later one. */
  messageFunction: '9' | '5';
  /** APERAK FTX 4451: AAI general information (AAO is an error description, and a status is no error). */
  ftxSubject: 'AAI';
}

export interface EdiStatusInput {
  /** The partner status to send. */
  status: PartnerStatus;
  /** Where the case came from: only an EDI case has a partner document for the advice to reference. */
  source: CaseRecord['source'];
  /** The partner's `send` section under its mailbox address; null when we write no EDI to it. */
  send: { standard: 'x12' | 'edifact'; status: StatusDocument | 'none'; test: boolean } | null;
  /** With `partner_channel` configured: whether it names `edi` for the partner's `case_status`; null without it. */
  channelNamesEdi: boolean | null;
  /** Status advices already queued for this case (0: this one is the first). */
  earlier: number;
}

export type EdiStatusPlan =
  | { send: false; reason: string }
  | {
      send: true;
      document: StatusDocument;
      /** GS01 of the group: AG application advice (824), TX text message (864); none for EDIFACT. */
      functionalId: 'AG' | 'TX' | null;
      /** Written as a test interchange (ISA15 T, UNB 0035 1): the partner's `send.test`, or a case from a test interchange. */
      test: boolean;
      codes: StatusAdviceCodes;
    };

const STATUS_TEXT: Readonly<Record<PartnerStatus, string | null>> = {
  open: null,
  received: 'RECEIVED',
  in_review: 'IN REVIEW',
  awaiting_documents: 'AWAITING DOCUMENTS',
  escalated: 'ESCALATED',
  resolved: 'RESOLVED',
};

/**
 * Whether a partner-visible case status goes to the partner as EDI, as which document and with which codes.
 * Called after the status passed the sharing rules, the bulk-change guard and the step-forward rule (it is a
 * `tradinggrid.set_status` job): this decides only the EDI side.
 */
export function decideEdiStatus(i: EdiStatusInput): EdiStatusPlan {
  if (!i.send || i.send.status === 'none')
    return { send: false, reason: 'the partner takes no case status over EDI (send.status none or no send section)' };
  if (i.channelNamesEdi === false)
    return { send: false, reason: "partner_channel does not name 'edi' for this partner's case_status" };
  if (i.source === 'community')
    return {
      send: false,
      reason: 'the case came from the community API: the partner sees its status there, no EDI document to advise on',
    };
  const doc = i.send.status;
  const expected = doc === 'APERAK' ? 'edifact' : 'x12';
  if (i.send.standard !== expected)
    return {
      send: false,
      reason: `${doc} is ${expected === 'x12' ? 'X12' : 'EDIFACT'}: the partner is ${i.send.standard}`,
    };
  const text = STATUS_TEXT[i.status];
  if (text === null) return { send: false, reason: `"${i.status}" is the partner's own status: nothing to advise` };
  const first = i.earlier === 0;
  return {
    send: true,
    document: doc,
    functionalId: doc === '824' ? 'AG' : doc === '864' ? 'TX' : null,
    test: i.send.test || i.source === 'mailbox_test',
    codes: {
      text,
      purpose: first ? '00' : '05',
      appAck: 'TA',
      messageFunction: first ? '9' : '5',
      ftxSubject: 'AAI',
    },
  };
}
