import { TextDecoder } from 'node:util';
/** Separators of one interchange, read from its ISA or UNA/UNB header. */
export interface Delimiters {
  element: string;
  component: string;
  segment: string;
  /** EDIFACT release (escape) character; null for X12 and for UNOB-style interchanges without one. */
  release: string | null;
  /** X12 repetition separator (ISA11 from 00402 on) or EDIFACT UNA5; null when not in use. */
  repetition: string | null;
  /** Character set of element values (see TEXT_ENCODINGS); set per interchange from its header. */
  encoding: TextEncodingName;
}

export type Standard = 'x12' | 'edifact';

/**
 * How element values are decoded. `latin1`: one byte, one character (ISO 8859-1, EDIFACT UNOC). `utf8`: UTF-8,
 * and bytes that are not valid UTF-8 are read as latin1 rather than replaced (files that claim one set and
 * use another are common). The ISO 8859 parts by their WHATWG names (TextDecoder).
 */
export type TextEncodingName =
  | 'latin1'
  | 'utf8'
  | 'iso-8859-2'
  | 'iso-8859-3'
  | 'iso-8859-4'
  | 'iso-8859-5'
  | 'iso-8859-6'
  | 'iso-8859-7'
  | 'iso-8859-8'
  | 'iso-8859-9';

/**
 * EDIFACT syntax identifier (UNB S001 0001) → character set (ISO 9735 part 1, annex: UNOA/UNOB are 7-bit
 * subsets, so a byte above 127 is out of the set: read as UTF-8 when it is valid UTF-8, else latin1).
 */
export const EDIFACT_SYNTAX_ENCODINGS: Readonly<Record<string, TextEncodingName>> = {
  UNOA: 'utf8',
  UNOB: 'utf8',
  UNOC: 'latin1',
  UNOD: 'iso-8859-2',
  UNOE: 'iso-8859-5',
  UNOF: 'iso-8859-7',
  UNOG: 'iso-8859-3',
  UNOH: 'iso-8859-4',
  UNOI: 'iso-8859-6',
  UNOJ: 'iso-8859-8',
  UNOK: 'iso-8859-9',
  UNOW: 'utf8',
  UNOY: 'utf8',
};

const decoders = new Map<string, TextDecoder>();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes held as a latin1 string (one char per byte) decoded in `encoding`. */
export function decodeBytes(latin1: string, encoding: TextEncodingName): string {
  if (encoding === 'latin1' || !/[^\x00-\x7f]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  if (encoding === 'utf8') {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return latin1;
    }
  }
  let d = decoders.get(encoding);
  if (d === undefined) decoders.set(encoding, (d = new TextDecoder(encoding)));
  return d.decode(bytes);
}

/**
 * One segment as the tokenizer saw it. `elements[0]` is the tag, so element n of the standard
 * (BEG03, UNB 0020's position) is `elements[n]`. Elements are raw: EDIFACT release characters are
 * still present so that component splitting stays correct; read values through `el` / `comp`.
 * Elements are split on first use: most segments of a big file are only counted, and splitting
 * every one of them cost more than all the rest of the parse.
 */
export class Segment {
  private split: string[] | null = null;
  private own: string | null = null;
  constructor(
    readonly tag: string,
    /** The bytes the segment lies in (a chunk of the input): text is decoded from them only when asked for. */
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    /** Byte offset of the segment's first byte in the whole input (not in the current chunk). */
    readonly offset: number,
    /** 1-based number of the segment in the whole input. */
    readonly index: number,
    readonly standard: Standard,
    readonly delimiters: Delimiters,
  ) {}

  /** The segment's text without its terminator (latin1: one char per byte). */
  get text(): string {
    return (this.own ??= this.source.toString('latin1', this.start, this.end));
  }

  get elements(): string[] {
    if (this.split === null) {
      const d = this.delimiters;
      this.split =
        d.release !== null && this.text.indexOf(d.release) >= 0
          ? splitReleased(this.text, d.element, d.release)
          : this.text.split(d.element);
    }
    return this.split;
  }
}

function unescapeRelease(raw: string, release: string): string {
  if (raw.indexOf(release) < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === release && i + 1 < raw.length) {
      out += raw[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

function decodeValue(raw: string, d: Delimiters): string {
  const v = d.release === null ? raw : unescapeRelease(raw, d.release);
  // The tokenizer reads bytes as latin1 (one char per byte keeps offsets exact); values are decoded in the interchange's set here.
  return decodeBytes(v, d.encoding);
}

/** Splits on `sep` except where the separator is escaped by the release character. */
export function splitReleased(raw: string, sep: string, release: string | null): string[] {
  if (release === null || raw.indexOf(release) < 0) return raw.split(sep);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === release) i++;
    else if (ch === sep) {
      parts.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(raw.slice(start));
  return parts;
}

/** Components of element n (decoded values); [] when the element is absent. */
export function comps(seg: Segment, n: number): string[] {
  const raw = seg.elements[n];
  if (raw === undefined) return [];
  const d = seg.delimiters;
  return splitReleased(raw, d.component, d.release).map((c) => decodeValue(c, d));
}

/** Component k (0-based) of element n, decoded; '' when absent. */
export function comp(seg: Segment, n: number, k: number): string {
  return comps(seg, n)[k] ?? '';
}

/** Whole element n decoded (X12: components stay joined by the component separator); '' when absent. */
export function el(seg: Segment, n: number): string {
  const raw = seg.elements[n];
  if (raw === undefined) return '';
  return decodeValue(raw, seg.delimiters);
}

/** First component of element n: what a simple (non-composite) element holds. */
export function first(seg: Segment, n: number): string {
  const raw = seg.elements[n];
  if (raw === undefined) return '';
  const d = seg.delimiters;
  if (raw.indexOf(d.component) < 0) return decodeValue(raw, d);
  return comp(seg, n, 0);
}

/** Element n split into its repetitions (repetition separator), each into its decoded components; [] when absent. */
export function repeats(seg: Segment, n: number): string[][] {
  const raw = seg.elements[n];
  if (raw === undefined || raw === '') return [];
  const d = seg.delimiters;
  const parts = d.repetition === null ? [raw] : splitReleased(raw, d.repetition, d.release);
  return parts.map((p) => splitReleased(p, d.component, d.release).map((c) => decodeValue(c, d)));
}
