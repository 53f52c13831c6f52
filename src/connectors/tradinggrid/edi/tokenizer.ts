import { EdiSyntaxError, shown } from './ediSyntaxError.ts';
import { EDIFACT_SYNTAX_ENCODINGS, Segment, type Delimiters, type Standard } from './segment.ts';

export interface TokenizerOptions {
  /** A segment longer than this is an error rather than a reason to buffer without limit (default 4 MiB). */
  maxSegmentBytes?: number;
  /**
   * Character set of X12 element values, which no X12 header names (default utf8: UTF-8 where the bytes are
   * valid UTF-8, latin1 where they are not). EDIFACT's comes from each UNB's syntax identifier.
   */
  x12Encoding?: 'utf8' | 'latin1';
}

const UNOA: Omit<Delimiters, 'encoding'> = {
  component: ':',
  element: '+',
  segment: "'",
  release: '?',
  repetition: null,
};
// UNOB without UNA uses information separators IS1/IS3/IS4 and has no release character.
const UNOB: Omit<Delimiters, 'encoding'> = {
  component: '\x1f',
  element: '\x1d',
  segment: '\x1c',
  release: null,
  repetition: null,
};
const ISA_ELEMENTS = 16;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
function isAlnum(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}
function isTag(tag: string): boolean {
  const n = tag.length;
  if (n < 2 || n > 3) return false;
  for (let i = 0; i < n; i++) {
    const c = tag.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (!(upper || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return true;
}

/**
 * Streaming EDI tokenizer, one design for X12 and EDIFACT: bytes in (any chunking), segments out, each
 * with its byte offset and number in the whole input. Separators are read from each interchange's own
 * header (ISA by counting 16 elements, UNA, or UNOA/UNOB defaults after a bare UNB), so files may hold
 * several interchanges with different separators. Holds only the unfinished segment between chunks.
 * Throws EdiSyntaxError on input that is not EDI or is cut off.
 */
const EMPTY = Buffer.alloc(0);
/** How much of the input a header is judged on (an ISA is at most ~400 bytes). */
const HEADER_WINDOW = 600;

export class EdiTokenizer {
  private carry: Buffer = EMPTY;
  private carryOffset = 0;
  private count = 0;
  private d: Delimiters | null = null;
  private std: Standard = 'x12';
  private readonly maxSegment: number;
  private readonly x12Encoding: 'utf8' | 'latin1';
  /** Standard of the first interchange, once seen. */
  firstStandard: Standard | null = null;

  constructor(
    private readonly onSegment: (seg: Segment) => void,
    opts: TokenizerOptions = {},
  ) {
    this.maxSegment = opts.maxSegmentBytes ?? 4 * 1024 * 1024;
    this.x12Encoding = opts.x12Encoding ?? 'utf8';
  }

  /** Bytes consumed into complete segments so far. */
  get consumed(): number {
    return this.carryOffset;
  }

  // Segments are found in the bytes (Buffer.indexOf is a memchr); a segment's text is decoded only when a
  // reader asks for it, so the many segments that are only counted never become strings.
  push(chunk: Buffer): void {
    if (this.carry.length === 0) return this.scan(chunk, false);
    // Join the carried, unfinished segment with the chunk only up to the next terminator (or a header's
    // worth of bytes): copying every whole chunk to prepend a few bytes cost more than parsing it.
    const d = this.d;
    const next = d === null ? -1 : chunk.indexOf(d.segment.charCodeAt(0));
    const cut = d === null ? Math.min(chunk.length, HEADER_WINDOW) : next < 0 ? chunk.length : next + 1;
    this.scan(Buffer.concat([this.carry, chunk.subarray(0, cut)]), false);
    if (cut === chunk.length) return;
    const rest = chunk.subarray(cut);
    // Still unfinished (an escaped terminator, a header cut short): the slow way, rarely.
    this.scan(this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : rest, false);
  }

  /**
   * The interchange trailer (IEA/UNZ) the file ended with, when it lacked only its segment terminator: it was
   * handed on as a segment, and the reader decides (its counts may still be wrong; config may accept it).
   */
  unterminatedTrailer: { tag: string; position: number; segment: number; terminator: string } | null = null;

  /** Call once after the last chunk: anything left unterminated is a truncated file. */
  end(): void {
    this.scan(this.carry, true);
    const rest = this.carry.toString('latin1', 0, this.carry.length); // latin1: one char per byte, string index + base = file offset
    let i = 0;
    while (i < rest.length && isWhitespace(rest.charCodeAt(i))) i++;
    if (i === rest.length) return;
    const at = this.carryOffset + i;
    // A last segment that is a whole interchange trailer short of its terminator (trailing line breaks aside).
    const d0 = this.d;
    if (d0 !== null && (rest.startsWith(`IEA${d0.element}`, i) || rest.startsWith(`UNZ${d0.element}`, i))) {
      let stop = rest.length;
      while (stop > i && isWhitespace(rest.charCodeAt(stop - 1))) stop--;
      const body = rest.slice(i, stop);
      if (!/[\r\n]/.test(body)) {
        const tag = body.slice(0, 3);
        this.count++;
        this.unterminatedTrailer = { tag, position: at, segment: this.count, terminator: d0.segment };
        this.onSegment(new Segment(tag, this.carry, i, stop, at, this.count, this.std, d0));
        this.d = null;
        return;
      }
    }
    if (this.d === null) {
      if (rest.startsWith('ISA', i))
        this.fail(
          at,
          `a complete ISA header (16 element separators, then component separator and segment terminator)`,
          rest.slice(i),
        );
      this.fail(at, 'an interchange header (ISA, UNA or UNB)', rest.slice(i));
    }
    this.fail(at, `segment terminator ${JSON.stringify(this.d.segment)} (file is truncated)`, rest.slice(i));
  }

  // Tags are interned by their character codes: no string is made per segment for its tag.
  private readonly tags = new Map<number, string>();

  private tagAt(b: Buffer, pos: number, stop: number, sep: number): string {
    let code = 0;
    let n = 0;
    for (let i = pos; i < stop && n < 4; i++, n++) {
      const c = b[i]!;
      if (c === sep) break;
      code = code * 256 + c;
    }
    let tag = this.tags.get(code * 8 + n);
    if (tag === undefined) {
      tag = b.toString('latin1', pos, pos + n);
      if (n > 3 || !isTag(tag))
        this.fail(
          this.carryOffset + pos,
          `a segment tag (2 or 3 capital letters or digits)${this.causeOfBadTag(b, pos, stop)}`,
          b.toString('latin1', pos, stop),
        );
      this.tags.set(code * 8 + n, tag);
    }
    return tag;
  }

  /** Why a segment does not start with a tag, when the bytes say (the commonest ways a hand-edited file breaks). */
  private causeOfBadTag(b: Buffer, pos: number, stop: number): string {
    const d = this.d;
    if (d === null) return '';
    const c = b[pos]!;
    const term = d.segment.charCodeAt(0);
    // The terminator byte was the first of a multibyte (UTF-8) character: its other bytes lead the next "segment".
    if (c >= 0x80 && c <= 0xbf && term >= 0xc0)
      return ` — the segment terminator looks like a multibyte character (byte 0x${term.toString(16)} followed by 0x${c.toString(16)}): EDI separators are single bytes; the sender's translator must use a one-byte terminator`;
    if (c === 32 || c === 9) {
      let k = pos;
      while (k < stop && (b[k] === 32 || b[k] === 9)) k++;
      if (isTag(b.toString('latin1', k, Math.min(stop, k + 3)).split(d.element)[0] ?? ''))
        return ' — the segment is indented (spaces or tabs before its tag): only line breaks may stand between segments';
    }
    if (term === 10 || term === 13)
      return ` — a line break inside a segment: this file ends segments with line breaks, so the previous segment was cut in two`;
    if (c === d.element.charCodeAt(0) || c === d.component.charCodeAt(0))
      return ` — the segment starts with a separator: a segment terminator ${JSON.stringify(d.segment)} inside the previous segment's data cut it in two`;
    return '';
  }

  private fail(position: number, expected: string, found: string): never {
    throw new EdiSyntaxError(position, this.count + 1, expected, shown(found));
  }

  private scan(b: Buffer, atEnd: boolean): void {
    const base = this.carryOffset;
    const len = b.length;
    let pos = 0;
    for (;;) {
      let d = this.d;
      if (d === null) {
        if (base + pos === 0 && len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) pos = 3; // UTF-8 byte order mark
        while (pos < len && isWhitespace(b[pos]!)) pos++;
        if (pos >= len) break;
        // Headers are judged on a small latin1 window (positions stay exact: one char per byte).
        const windowEnd = Math.min(len, pos + HEADER_WINDOW);
        const header = this.readHeader(b.toString('latin1', pos, windowEnd), atEnd && windowEnd === len, base + pos);
        if (header === null) break; // need more bytes
        d = this.d = header.delimiters;
        if (header.skip > 0) {
          // UNA is a service string advice, not a segment: counted for positions, not emitted.
          this.count++;
          pos += header.skip;
          continue;
        }
      }
      const term = d.segment.charCodeAt(0);
      const release = d.release === null ? -1 : d.release.charCodeAt(0);
      const element = d.element.charCodeAt(0);
      while (pos < len) {
        const c = b[pos]!;
        if (c === 13 || c === 10) pos++;
        else break;
      }
      if (pos >= len) break;
      let end = b.indexOf(term, pos);
      if (release >= 0) {
        while (end > 0) {
          let r = 0;
          for (let k = end - 1; k >= pos && b[k] === release; k--) r++;
          if ((r & 1) === 0) break;
          end = b.indexOf(term, end + 1);
        }
      }
      if (end < 0) {
        if (len - pos > this.maxSegment)
          this.fail(base + pos, `a segment terminator within ${this.maxSegment} bytes`, b.toString('latin1', pos, len));
        break;
      }
      let stop = end;
      if (term === 10 && b[stop - 1] === 13) stop--;
      const tag = this.tagAt(b, pos, stop, element);
      this.count++;
      // UNB S001 0001 syntax identifier (UNOA…UNOY) names the character set of the interchange's values.
      if (tag === 'UNB') d.encoding = EDIFACT_SYNTAX_ENCODINGS[b.toString('latin1', pos + 4, pos + 8)] ?? 'latin1';
      this.onSegment(new Segment(tag, b, pos, stop, base + pos, this.count, this.std, d));
      pos = end + 1;
      if (tag === 'IEA' || tag === 'UNZ') this.d = null;
    }
    this.carry = pos >= len ? EMPTY : b.subarray(pos);
    this.carryOffset = base + pos;
  }

  /** Reads separators at an interchange start; null when more bytes are needed. */
  private readHeader(s: string, atEnd: boolean, base: number): { delimiters: Delimiters; skip: number } | null {
    // Each check below waits for the bytes it reads (null until they are there, or the file ended), and an error shows a
    // fixed slice of them: so the answer does not depend on where chunks end.
    if (s.length < 4) {
      if (atEnd) this.fail(base, 'an interchange header (ISA, UNA or UNB)', s);
      return null;
    }
    const head = s.slice(0, 3);
    if (head === 'ISA') {
      const element = s[3]!;
      if (isAlnum(element) || isWhitespace(element.charCodeAt(0)))
        this.fail(base + 3, 'an ISA element separator (not a letter, digit or space)', s.slice(3, 4));
      // Count 16 separators rather than trusting fixed offsets: real ISAs sometimes have a field of the wrong width.
      let at = 3;
      for (let n = 1; n < ISA_ELEMENTS; n++) {
        at = s.indexOf(element, at + 1);
        if (at < 0 || at > 400) {
          if (at < 0 && !atEnd && s.length <= 400) return null;
          if (at < 0 && s.length <= 400)
            this.fail(
              base,
              'a complete ISA header (16 element separators, then component separator and segment terminator)',
              s,
            );
          this.fail(base, `an ISA header with 16 elements separated by ${JSON.stringify(element)}`, s);
        }
      }
      if (at + 2 >= s.length) {
        if (!atEnd) return null;
        this.fail(base + at + 1, 'ISA16 component separator and the segment terminator', s.slice(at + 1));
      }
      const component = s[at + 1]!;
      const segment = s[at + 2]!;
      if (isAlnum(component) || component === element)
        this.fail(
          base + at + 1,
          'an ISA16 component separator (not a letter, digit or the element separator)',
          s.slice(at + 1, at + 2),
        );
      if (isAlnum(segment) || segment === element || segment === component || segment === ' ')
        this.fail(base + at + 2, 'a segment terminator after ISA16', s.slice(at + 2, at + 3));
      const isa = s.slice(0, at + 2).split(element);
      const rep = isa[11] ?? 'U';
      const repetition = rep.length === 1 && !isAlnum(rep) && rep !== ' ' && rep !== component ? rep : null;
      this.std = 'x12';
      this.firstStandard ??= 'x12';
      return {
        delimiters: { element, component, segment, release: null, repetition, encoding: this.x12Encoding },
        skip: 0,
      };
    }
    if (head === 'UNA') {
      if (s.length < 9) {
        if (atEnd) this.fail(base, 'a 6-character UNA service string advice', s);
        return null;
      }
      const [component, element, , release, repetition, segment] = s.slice(3, 9).split('') as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (
        new Set([component, element, segment]).size !== 3 ||
        isAlnum(component) ||
        isAlnum(element) ||
        isAlnum(segment)
      )
        this.fail(base + 3, 'UNA separators that are distinct and not letters or digits', s.slice(3, 9));
      this.std = 'edifact';
      this.firstStandard ??= 'edifact';
      const d: Delimiters = {
        component,
        element,
        segment,
        release: release === ' ' ? null : release,
        repetition: repetition === ' ' ? null : repetition,
        encoding: 'latin1',
      };
      return { delimiters: d, skip: 9 };
    }
    if (head === 'UNB') {
      const sep = s[3];
      const defaults = sep === '+' ? UNOA : sep === '\x1d' ? UNOB : null;
      if (defaults === null)
        this.fail(base + 3, "UNB followed by '+' (UNOA) or IS3 (UNOB) when there is no UNA", s.slice(3, 4));
      this.std = 'edifact';
      this.firstStandard ??= 'edifact';
      return { delimiters: { ...defaults, encoding: 'latin1' }, skip: 0 };
    }
    this.fail(base, 'an interchange header (ISA, UNA or UNB)', s.slice(0, 3));
  }
}
