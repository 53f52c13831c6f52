import type { Readable } from 'node:stream';
import { EdiSyntaxError } from './ediSyntaxError.ts';
import { EnvelopeChecker, type EdiError, type EnvelopeHandler } from './envelope.ts';
import type { Segment, Standard } from './segment.ts';
import { EdiTokenizer, type TokenizerOptions } from './tokenizer.ts';

export interface ReadEdiOptions extends TokenizerOptions {
  /** Stop collecting after this many errors (default 100). */
  maxErrors?: number;
  /** Sees every segment, in order (after the tokenizer, before the envelope checks). */
  onSegment?(seg: Segment): void;
  /**
   * A file whose last interchange trailer (IEA/UNZ) is complete and correct but lacks only its final segment
   * terminator: accepted with a warning when true; an error naming exactly that when false (default).
   */
  acceptMissingFinalTerminator?: boolean;
  /**
   * Awaited after each chunk is parsed (streams only): work the callbacks queued (async lookups, writes) runs
   * here, and the next chunk waits for it, so memory holds one chunk's transactions however big the file.
   */
  afterChunk?(): Promise<void>;
}

export interface ReadEdiSummary {
  standard: Standard | null;
  bytes: number;
  segments: number;
  transactions: number;
  /** Structural problems; empty when the whole file is well formed. */
  errors: EdiError[];
  /** What was accepted although not well formed (a final terminator missing, when allowed). */
  warnings: EdiError[];
}

const BUFFER_SLICE = 1 << 20;

/**
 * Streams EDI through the tokenizer and the envelope checks, calling the handler as transactions complete.
 * A file that is not EDI, or is cut off, ends in `errors` (with byte offset and segment number), never as a
 * throw; a failing input stream (I/O) rejects, because that says nothing about the file's content.
 */
export async function readEdi(
  input: Readable | Buffer,
  handler: EnvelopeHandler,
  opts: ReadEdiOptions = {},
): Promise<ReadEdiSummary> {
  const checker = new EnvelopeChecker(handler, opts.maxErrors ?? 100);
  const onSegment = opts.onSegment;
  let segments = 0;
  const tokenizer = new EdiTokenizer((seg) => {
    segments = seg.index;
    onSegment?.(seg);
    checker.segment(seg);
  }, opts);
  let bytes = 0;
  const warnings: EdiError[] = [];
  try {
    if (Buffer.isBuffer(input)) {
      for (let at = 0; at < input.length; at += BUFFER_SLICE) tokenizer.push(input.subarray(at, at + BUFFER_SLICE));
      bytes = input.length;
    } else {
      for await (const chunk of input) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer);
        bytes += buf.length;
        tokenizer.push(buf);
        if (opts.afterChunk) await opts.afterChunk();
      }
    }
    const before = checker.errors.length;
    tokenizer.end();
    if (opts.afterChunk && !Buffer.isBuffer(input)) await opts.afterChunk();
    const trailer = tokenizer.unterminatedTrailer;
    if (trailer !== null) {
      const where = { segment: trailer.segment, position: trailer.position };
      const what = `the file ends with the interchange trailer ${trailer.tag} without its segment terminator ${JSON.stringify(trailer.terminator)}`;
      if (checker.errors.length > before)
        checker.errors.push({
          ...where,
          message: `expected segment terminator ${JSON.stringify(trailer.terminator)} after ${trailer.tag}: ${what}, and that trailer does not match the interchange (see the error before)`,
        });
      else if (opts.acceptMissingFinalTerminator)
        warnings.push({
          ...where,
          message: `${what}; the trailer is complete and matches the interchange, so the file was accepted (mailbox.accept_missing_final_terminator)`,
        });
      else
        checker.errors.push({
          ...where,
          message: `expected segment terminator ${JSON.stringify(trailer.terminator)} after ${trailer.tag}: ${what}. The trailer is complete and matches the interchange (counts and control number): nothing else is missing. Set mailbox.accept_missing_final_terminator to accept such files with a warning`,
        });
    }
    checker.end(bytes, segments);
  } catch (e) {
    if (!(e instanceof EdiSyntaxError)) throw e;
    if (!Buffer.isBuffer(input)) input.destroy();
    checker.errors.push({
      segment: e.segment,
      position: e.position,
      message: `expected ${e.expected}, found ${e.found}`,
    });
  }
  return {
    standard: tokenizer.firstStandard,
    bytes,
    segments,
    transactions: checker.transactions,
    errors: checker.errors,
    warnings,
  };
}
