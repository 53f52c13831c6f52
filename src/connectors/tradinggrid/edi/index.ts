/** Public surface of our streaming X12/EDIFACT parser. */
export {
  parseEdi,
  type ParsedEdi,
  type ParsedInterchange,
  type ParsedGroup,
  type ParsedTransaction,
} from './parseEdi.ts';
export { readEdi, type ReadEdiOptions, type ReadEdiSummary } from './readEdi.ts';
export { EdiTokenizer, type TokenizerOptions } from './tokenizer.ts';
export { EdiSyntaxError } from './ediSyntaxError.ts';
export { comp, comps, el, first, type Delimiters, type Segment, type Standard } from './segment.ts';
export type {
  EdiError,
  EnvelopeHandler,
  GroupEnvelope,
  InterchangeEnvelope,
  PartyId,
  TransactionEnvelope,
  Usage,
} from './envelope.ts';
export {
  ACK_SETS,
  interpretAck,
  interpretTa1,
  type AckError,
  type AckFinding,
  type AckKind,
  type AckOutcome,
  type Acknowledgment,
} from './acknowledgments.ts';
export type { BusinessReference } from './businessReference.ts';
