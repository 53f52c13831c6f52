import type { Readable } from 'node:stream';
import { ACK_SETS, interpretAck, interpretTa1, validateAck, type Acknowledgment } from './acknowledgments.ts';
import type { BusinessReference } from './businessReference.ts';
import type { EdiError, GroupEnvelope, PartyId, Usage } from './envelope.ts';
import { readEdi, type ReadEdiOptions } from './readEdi.ts';
import type { Standard } from './segment.ts';

export interface ParsedTransaction {
  set_id: string;
  control_number: string;
  business_reference: BusinessReference | null;
}
export interface ParsedGroup {
  control_number: string | null;
  functional_id: string | null;
  transactions: ParsedTransaction[];
}
export interface ParsedInterchange {
  control_number: string;
  sender: PartyId;
  receiver: PartyId;
  usage: Usage;
  groups: ParsedGroup[];
}

/**
 * What `gridbridge edi parse --json` prints. With `errors`, `complete` is false and the rest is what was read
 * around the problems: every transaction whose trailer checked out, in interchanges that may be cut short (a
 * mailbox still quarantines such a file: partial data is for the person reading the report).
 */
export interface ParsedEdi {
  standard: Standard;
  complete: boolean;
  interchanges: ParsedInterchange[];
  acknowledgments: Acknowledgment[];
  errors: EdiError[];
  warnings: EdiError[];
}

// V8 keeps substrings of 13+ chars as views of the whole decoded chunk; copy what we keep so chunks can be freed.
// (utf16le round-trips every string; latin1 would cut characters above U+00FF.)
function own(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** Parses a whole EDI file (X12 or EDIFACT, several interchanges) into its envelope summary and acknowledgements. */
export async function parseEdi(input: Readable | Buffer, opts: ReadEdiOptions = {}): Promise<ParsedEdi> {
  const interchanges: ParsedInterchange[] = [];
  const acknowledgments: Acknowledgment[] = [];
  const groups = new Map<GroupEnvelope, ParsedGroup>();
  let ungrouped: ParsedGroup | null = null;
  const ackErrors: EdiError[] = [];
  const summary = await readEdi(
    input,
    {
      keepSegments: (setId) => ACK_SETS.has(setId),
      onInterchange(ic) {
        interchanges.push({
          control_number: own(ic.control_number),
          sender: { qualifier: own(ic.sender.qualifier), id: own(ic.sender.id) },
          receiver: { qualifier: own(ic.receiver.qualifier), id: own(ic.receiver.id) },
          usage: ic.usage,
          groups: [],
        });
        groups.clear();
        ungrouped = null;
      },
      onGroup(_ic, g) {
        const parsed: ParsedGroup = {
          control_number: g.control_number,
          functional_id: g.functional_id,
          transactions: [],
        };
        groups.set(g, parsed);
        interchanges.at(-1)?.groups.push(parsed);
      },
      onInterchangeSegment(_ic, seg) {
        if (seg.tag === 'TA1') acknowledgments.push(interpretTa1(seg).ack);
      },
      onTransaction(tx) {
        let group = groups.get(tx.group);
        if (group === undefined) {
          if (ungrouped === null) {
            ungrouped = { control_number: null, functional_id: null, transactions: [] };
            interchanges.at(-1)?.groups.push(ungrouped);
          }
          group = ungrouped;
        }
        const ref = tx.business_reference;
        group.transactions.push({
          set_id: own(tx.set_id),
          control_number: own(tx.control_number),
          business_reference: ref === null ? null : { type: ref.type, value: own(ref.value) },
        });
        if (ACK_SETS.has(tx.set_id)) {
          const invalid = validateAck(tx);
          if (invalid.length > 0) ackErrors.push(...invalid);
          else for (const f of interpretAck(tx)) acknowledgments.push(f.ack);
        }
      },
    },
    opts,
  );
  const standard = summary.standard ?? 'x12';
  const errors = [...summary.errors, ...ackErrors].sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity));
  return { standard, complete: errors.length === 0, interchanges, acknowledgments, errors, warnings: summary.warnings };
}
