import { describe, expect, it } from 'vitest';
import { EdiSyntaxError } from './ediSyntaxError.ts';
import type { Segment } from './segment.ts';
import { EdiTokenizer, type TokenizerOptions } from './tokenizer.ts';

// The tokenizer on its own, known answers: which segments (tag, byte offset, number, text, separators) or
// which error (byte offset, segment number, what was expected, what was found) an input yields. Every input
// is fed whole, in 7-byte chunks and one byte at a time: the answer must not depend on where chunks end.

type Seen = { tag: string; offset: number; index: number; text: string; standard: string; sep: string };
type Outcome =
  | {
      segments: Seen[];
      trailer: EdiTokenizer['unterminatedTrailer'];
      first: EdiTokenizer['firstStandard'];
      consumed: number;
    }
  | { error: { position: number; segment: number; expected: string; found: string } };

const sepOf = (s: Segment) => {
  const d = s.delimiters;
  return `${d.element}${d.component}${d.segment}|${d.release ?? '-'}|${d.repetition ?? '-'}|${d.encoding}`;
};

function run(input: Buffer, size: number, opts?: TokenizerOptions): Outcome {
  const segments: Seen[] = [];
  const t = new EdiTokenizer(
    (s) =>
      segments.push({
        tag: s.tag,
        offset: s.offset,
        index: s.index,
        text: s.text,
        standard: s.standard,
        sep: sepOf(s),
      }),
    opts,
  );
  try {
    for (let i = 0; i < input.length; i += size) t.push(input.subarray(i, i + size));
    t.end();
  } catch (e) {
    if (!(e instanceof EdiSyntaxError)) throw e;
    return { error: { position: e.position, segment: e.segment, expected: e.expected, found: e.found } };
  }
  return { segments, trailer: t.unterminatedTrailer, first: t.firstStandard, consumed: t.consumed };
}

/** The same outcome whatever the chunking; returned once. */
function tokenize(input: string | Buffer, opts?: TokenizerOptions): Outcome {
  const b = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const whole = run(b, Math.max(1, b.length), opts);
  expect(run(b, 7, opts)).toEqual(whole);
  expect(run(b, 1, opts)).toEqual(whole);
  return whole;
}

const ok = (o: Outcome) => {
  if ('error' in o) throw new Error(`unexpected error ${JSON.stringify(o.error)}`);
  return o;
};
const tags = (o: Outcome) => ok(o).segments.map((s) => `${s.tag}@${s.offset}#${s.index}`);
const error = (o: Outcome) => {
  if (!('error' in o)) throw new Error(`expected an error, got ${JSON.stringify(o.segments.map((s) => s.text))}`);
  return o.error;
};

/** An ISA with the given separators: element, repetition (ISA11), component (ISA16), terminator. */
function isa(e = '*', rep = '^', comp = '>', term = '~', ver = '00501'): string {
  const f = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    'ZZ',
    'SENDER'.padEnd(15),
    'ZZ',
    'RECEIVER'.padEnd(15),
    '210101',
    '1200',
    rep,
    ver,
    '000000001',
    '0',
    'T',
    comp,
  ];
  return f.join(e) + term;
}
const ISA = isa();
const X12_BODY = 'GS*PO*A*B*20210101*1200*1*X*005010~ST*850*0001~SE*2*0001~GE*1*1~IEA*1*000000001~';

describe('X12 interchanges', () => {
  it('segments come with their tag, byte offset, number and text; the ISA names the separators', () => {
    const o = ok(tokenize(ISA + X12_BODY));
    expect(ISA.length).toBe(106);
    expect(tags(o)).toEqual(['ISA@0#1', 'GS@106#2', 'ST@141#3', 'SE@153#4', 'GE@163#5', 'IEA@170#6']);
    expect(o.segments.map((s) => s.text).slice(1)).toEqual([
      'GS*PO*A*B*20210101*1200*1*X*005010',
      'ST*850*0001',
      'SE*2*0001',
      'GE*1*1',
      'IEA*1*000000001',
    ]);
    expect(new Set(o.segments.map((s) => `${s.standard} ${s.sep}`))).toEqual(new Set(['x12 *>~|-|^|utf8']));
    expect(o.first).toBe('x12');
    expect(o.trailer).toBeNull();
    expect(o.consumed).toBe(ISA.length + X12_BODY.length);
  });

  it.each([
    { what: 'a letter (ISA11 "U" before 00402)', rep: 'U', want: '-' },
    { what: 'a space', rep: ' ', want: '-' },
    { what: 'the component separator', rep: '>', want: '-' },
    { what: 'two characters', rep: '^^', want: '-' },
    { what: 'a symbol', rep: '!', want: '!' },
  ])('ISA11 that is $what gives repetition separator $want', ({ rep, want }) => {
    const o = ok(tokenize(isa('*', rep) + X12_BODY));
    expect(o.segments[0]!.sep).toBe(`*>~|-|${want}|utf8`);
  });

  it('the X12 value encoding is the one configured', () => {
    expect(ok(tokenize(ISA + X12_BODY, { x12Encoding: 'latin1' })).segments[1]!.sep).toBe('*>~|-|^|latin1');
  });

  it('line breaks between segments are skipped; offsets still count them', () => {
    const o = tokenize(`${ISA}\r\n${X12_BODY.replaceAll('~', '~\r\n')}`);
    expect(tags(o)).toEqual(['ISA@0#1', 'GS@108#2', 'ST@145#3', 'SE@159#4', 'GE@171#5', 'IEA@180#6']);
  });

  it('a file that ends segments with line breaks: CRLF and LF both end a segment, and the CR is not part of its text', () => {
    const o = ok(tokenize(`${isa('*', '^', '>', '\n')}GS*PO*A*B\r\nST*850*0001\nIEA*1*000000001\r\n`));
    expect(o.segments.map((s) => s.text).slice(1)).toEqual(['GS*PO*A*B', 'ST*850*0001', 'IEA*1*000000001']);
    expect(o.segments[0]!.sep).toBe('*>\n|-|^|utf8');
  });

  it('a byte order mark and blank space before the first header are skipped', () => {
    const o = tokenize(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(` \t\r\n${ISA}${X12_BODY}`, 'latin1')]),
    );
    expect(tags(o)[0]).toBe('ISA@7#1');
    expect(tags(o)).toHaveLength(6);
  });

  it('a second interchange after IEA may use other separators', () => {
    const second = `${isa('|', 'U', ':', '\n')}GS|PO|A|B\nIEA|1|000000001\n`;
    const o = ok(tokenize(ISA + X12_BODY + '\n' + second));
    expect(o.segments.map((s) => `${s.tag} ${s.sep}`).slice(5)).toEqual([
      'IEA *>~|-|^|utf8',
      'ISA |:\n|-|-|utf8',
      'GS |:\n|-|-|utf8',
      'IEA |:\n|-|-|utf8',
    ]);
    expect(o.segments[6]!.offset).toBe(ISA.length + X12_BODY.length + 1);
  });

  it('an ISA whose fields have the wrong width is read by counting its separators', () => {
    const narrow = 'ISA*00**00**ZZ*S*ZZ*R*210101*1200*^*00501*1*0*T*>~';
    expect(tags(tokenize(narrow + X12_BODY))).toEqual([
      'ISA@0#1',
      'GS@50#2',
      'ST@85#3',
      'SE@97#4',
      'GE@107#5',
      'IEA@114#6',
    ]);
  });
});

describe('EDIFACT interchanges', () => {
  const BODY = "UNB+UNOC:3+SENDER+RECEIVER+210101:1200+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+1'";

  it('UNA sets the separators, is not a segment, but counts for numbering', () => {
    const o = ok(tokenize(`UNA:+.? '${BODY}`));
    expect(tags(o)).toEqual(['UNB@9#2', 'UNH@50#3', 'UNT@72#4', 'UNZ@80#5']);
    expect(o.segments[0]!.sep).toBe("+:'|?|-|latin1");
    expect(o.segments[0]!.standard).toBe('edifact');
    expect(o.first).toBe('edifact');
  });

  it('UNA with a space for release and a character for repetition', () => {
    expect(ok(tokenize(`UNA:+. *'${BODY}`)).segments[0]!.sep).toBe("+:'|-|*|latin1");
  });

  it('an escaped terminator stays in the segment; an escaped release does not escape the terminator after it', () => {
    const o = ok(tokenize(`UNA:+.? 'UNB+UNOC:3+S+R+1'FTX+AAI+++A?'B??'FTX+AAI+++C?'?'D'UNZ+1+1'`));
    expect(o.segments.map((s) => s.text)).toEqual([
      'UNB+UNOC:3+S+R+1',
      "FTX+AAI+++A?'B??",
      "FTX+AAI+++C?'?'D",
      'UNZ+1+1',
    ]);
  });

  it.each([
    { syntax: 'UNOA', enc: 'utf8' },
    { syntax: 'UNOC', enc: 'latin1' },
    { syntax: 'UNOY', enc: 'utf8' },
    { syntax: 'XXXX', enc: 'latin1' },
  ])('a bare UNB means UNOA separators; syntax $syntax means $enc values', ({ syntax, enc }) => {
    const o = ok(tokenize(`UNB+${syntax}:3+SENDER+RECEIVER+1'UNZ+1+1'`));
    expect(o.segments.map((s) => s.sep)).toEqual([`+:'|?|-|${enc}`, `+:'|?|-|${enc}`]);
  });

  it('a bare UNB with IS3 means UNOB information separators and no release character', () => {
    const o = ok(tokenize('UNB\x1dUNOB\x1f3\x1dSENDER\x1dRECEIVER\x1d1\x1cUNZ\x1d1\x1d1\x1c'));
    expect(o.segments.map((s) => `${s.tag} ${JSON.stringify(s.sep)}`)).toEqual([
      `UNB ${JSON.stringify('\x1d\x1f\x1c|-|-|utf8')}`,
      `UNZ ${JSON.stringify('\x1d\x1f\x1c|-|-|utf8')}`,
    ]);
  });

  it('X12 then EDIFACT in one file: the first standard is the first one seen', () => {
    const o = ok(tokenize(`${ISA}${X12_BODY}${BODY}`));
    expect(o.first).toBe('x12');
    expect(o.segments.map((s) => s.standard)).toEqual([...Array(6).fill('x12'), ...Array(4).fill('edifact')]);
  });

  it('EDIFACT then X12: the first standard stays edifact', () => {
    expect(ok(tokenize(`${BODY}${ISA}${X12_BODY}`)).first).toBe('edifact');
    expect(ok(tokenize(`UNA:+.? '${BODY}${ISA}${X12_BODY}`)).first).toBe('edifact');
  });
});

describe('segment tags', () => {
  it.each(['GS', 'N1', 'N12', 'ST', 'B3A'])('%s is a tag', (tag) => {
    expect(tags(tokenize(`${ISA}${tag}*X~IEA*1*1~`))[1]).toBe(`${tag}@106#2`);
  });

  it.each([
    { tag: '1N', why: 'a digit first' },
    { tag: 'N', why: 'one character' },
    { tag: 'ABCD', why: 'four characters' },
    { tag: 'Gs', why: 'a small letter' },
    { tag: 'G-', why: 'a symbol' },
    { tag: 'G@', why: 'the character before A' },
    { tag: 'G[', why: 'the character after Z' },
    { tag: 'G/', why: 'the character before 0' },
    { tag: 'G:', why: 'the character after 9' },
  ])('$tag is not a tag ($why)', ({ tag }) => {
    expect(error(tokenize(`${ISA}ST*850~${tag}*X~IEA*1*1~`))).toEqual({
      position: 113,
      segment: 3,
      expected: 'a segment tag (2 or 3 capital letters or digits)',
      found: JSON.stringify(`${tag}*X`),
    });
  });

  it('the same tag twice and two tags sharing letters are told apart', () => {
    expect(ok(tokenize(`${ISA}AB*1~BA*2~AB*3~ABA*4~IEA*1*1~`)).segments.map((s) => s.tag)).toEqual([
      'ISA',
      'AB',
      'BA',
      'AB',
      'ABA',
      'IEA',
    ]);
  });
});

describe('why a segment does not start with a tag', () => {
  const tagError = 'a segment tag (2 or 3 capital letters or digits)';

  it('a multibyte terminator: its continuation byte leads the next segment', () => {
    const head = Buffer.from(isa('*', '^', '>', '\xc2'), 'latin1');
    const e = error(
      tokenize(Buffer.concat([head, Buffer.from([0xa7]), Buffer.from('GS*PO\xc2\xa7IEA*1*1\xc2\xa7', 'latin1')])),
    );
    expect(e.position).toBe(106);
    expect(e.expected).toBe(
      `${tagError} — the segment terminator looks like a multibyte character (byte 0xc2 followed by 0xa7): EDI separators are single bytes; the sender's translator must use a one-byte terminator`,
    );
  });

  it.each([0x7f, 0xc0])('a byte 0x%s leading a segment is not blamed on a multibyte terminator', (c) => {
    const head = Buffer.from(isa('*', '^', '>', '\xc2'), 'latin1');
    expect(error(tokenize(Buffer.concat([head, Buffer.from([c]), Buffer.from('GS*PO\xc2', 'latin1')]))).expected).toBe(
      tagError,
    );
  });

  it('a continuation byte after a one-byte terminator below 0xc0 is not blamed on the terminator', () => {
    const head = Buffer.from(isa('*', '^', '>', '\xbf'), 'latin1');
    expect(
      error(tokenize(Buffer.concat([head, Buffer.from([0xa7]), Buffer.from('GS*PO\xbf', 'latin1')]))).expected,
    ).toBe(tagError);
  });

  it.each([' ', '\t', '  \t'])('an indented segment (%j before the tag)', (indent) => {
    const e = error(tokenize(`${ISA}${indent}GS*PO~IEA*1*1~`));
    expect(e).toEqual({
      position: 106,
      segment: 2,
      expected: `${tagError} — the segment is indented (spaces or tabs before its tag): only line breaks may stand between segments`,
      found: JSON.stringify(`${indent}GS*PO`),
    });
  });

  it('indentation before something that is not a tag either says only that a tag was expected', () => {
    expect(error(tokenize(`${ISA} g*PO~IEA*1*1~`)).expected).toBe(tagError);
    expect(error(tokenize(`${ISA}  ~IEA*1*1~`)).expected).toBe(tagError);
  });

  it('an indented tag at the very end of the segment', () => {
    expect(error(tokenize(`${ISA} GS~IEA*1*1~`)).expected).toContain('the segment is indented');
  });

  it.each(['\n', '\r'])('a line break inside a segment of a file that ends segments with line breaks (%j)', (term) => {
    const e = error(tokenize(`${isa('*', '^', '>', term)}GS*PO*A${term}B*C${term}IEA*1*1${term}`));
    expect(e.expected).toBe(
      `${tagError} — a line break inside a segment: this file ends segments with line breaks, so the previous segment was cut in two`,
    );
  });

  it.each(['*', '>'])('a segment that starts with a separator (%s): a terminator inside the data cut it', (sep) => {
    const e = error(tokenize(`${ISA}N1*ACME~${sep}INC~IEA*1*1~`));
    expect(e).toEqual({
      position: 114,
      segment: 3,
      expected: `${tagError} — the segment starts with a separator: a segment terminator "~" inside the previous segment's data cut it in two`,
      found: JSON.stringify(`${sep}INC`),
    });
  });
});

describe('input that is not EDI or is cut off', () => {
  it.each([
    {
      what: 'text that is no header',
      input: 'Dear partner, please find attached our order.',
      want: { position: 0, segment: 1, expected: 'an interchange header (ISA, UNA or UNB)', found: '"Dea"' },
    },
    {
      what: 'a short text that is no header',
      input: 'XYZW',
      want: { position: 0, segment: 1, expected: 'an interchange header (ISA, UNA or UNB)', found: '"XYZ"' },
    },
    {
      what: 'a file of three letters',
      input: 'ISA',
      want: { position: 0, segment: 1, expected: 'an interchange header (ISA, UNA or UNB)', found: '"ISA"' },
    },
    {
      what: 'junk after blank space',
      input: '\n\n  Dear partner, please find attached',
      want: { position: 4, segment: 1, expected: 'an interchange header (ISA, UNA or UNB)', found: '"Dea"' },
    },
    {
      what: 'a byte order mark not at the start',
      input: `${ISA}IEA*1*1~\xef\xbb\xbfISA*00`,
      want: {
        position: 114,
        segment: 3,
        expected: 'an interchange header (ISA, UNA or UNB)',
        found: JSON.stringify('\xef\xbb\xbf'),
      },
    },
    {
      what: 'half a byte order mark',
      input: `\xef\xbbISA*00*          *00*     `,
      want: {
        position: 0,
        segment: 1,
        expected: 'an interchange header (ISA, UNA or UNB)',
        found: JSON.stringify('\xef\xbbI'),
      },
    },
    {
      what: 'an ISA with a letter for element separator',
      input: 'ISAX00X          X00X          XZZ',
      want: {
        position: 3,
        segment: 1,
        expected: 'an ISA element separator (not a letter, digit or space)',
        found: '"X"',
      },
    },
    {
      what: 'an ISA with a space for element separator',
      input: 'ISA 00            00            ZZ',
      want: {
        position: 3,
        segment: 1,
        expected: 'an ISA element separator (not a letter, digit or space)',
        found: '" "',
      },
    },
    {
      what: 'an ISA with a tab for element separator',
      input: 'ISA\t00\t          \t00\t          \tZZ',
      want: {
        position: 3,
        segment: 1,
        expected: 'an ISA element separator (not a letter, digit or space)',
        found: '"\\t"',
      },
    },
    {
      what: 'an ISA cut off among its elements',
      input: 'ISA*00*          *00*          *ZZ*S',
      want: {
        position: 0,
        segment: 1,
        expected: 'a complete ISA header (16 element separators, then component separator and segment terminator)',
        found: JSON.stringify('ISA*00*          *00…'),
      },
    },
    {
      what: 'an ISA cut off before its terminator',
      input: ISA.slice(0, -1),
      want: {
        position: 104,
        segment: 1,
        expected: 'ISA16 component separator and the segment terminator',
        found: '">"',
      },
    },
    {
      what: 'an ISA cut off after its last separator',
      input: ISA.slice(0, -2),
      want: {
        position: 104,
        segment: 1,
        expected: 'ISA16 component separator and the segment terminator',
        found: 'end of file',
      },
    },
    {
      what: 'an ISA with a letter for component separator',
      input: isa('*', '^', 'Q'),
      want: {
        position: 104,
        segment: 1,
        expected: 'an ISA16 component separator (not a letter, digit or the element separator)',
        found: '"Q"',
      },
    },
    {
      what: 'an ISA whose component separator is its element separator',
      input: `${ISA.slice(0, -2)}*~`,
      want: {
        position: 104,
        segment: 1,
        expected: 'an ISA16 component separator (not a letter, digit or the element separator)',
        found: '"*"',
      },
    },
    {
      what: 'an ISA with a digit for terminator',
      input: isa('*', '^', '>', '7'),
      want: { position: 105, segment: 1, expected: 'a segment terminator after ISA16', found: '"7"' },
    },
    {
      what: 'an ISA whose terminator is its element separator',
      input: isa('*', '^', '>', '*'),
      want: { position: 105, segment: 1, expected: 'a segment terminator after ISA16', found: '"*"' },
    },
    {
      what: 'an ISA whose terminator is its component separator',
      input: isa('*', '^', '>', '>'),
      want: { position: 105, segment: 1, expected: 'a segment terminator after ISA16', found: '">"' },
    },
    {
      what: 'an ISA whose terminator is a space',
      input: isa('*', '^', '>', ' ') + 'GS',
      want: { position: 105, segment: 1, expected: 'a segment terminator after ISA16', found: '" "' },
    },
    {
      what: 'a UNA cut off',
      input: 'UNA:+.',
      want: { position: 0, segment: 1, expected: 'a 6-character UNA service string advice', found: '"UNA:+."' },
    },
    {
      what: 'a UNA with a letter for separator',
      input: "UNA:A.? 'UNB+UNOC:3+S+R+1'",
      want: {
        position: 3,
        segment: 1,
        expected: 'UNA separators that are distinct and not letters or digits',
        found: JSON.stringify(":A.? '"),
      },
    },
    {
      what: 'a UNA with a digit for component separator',
      input: "UNA1+.? 'UNB+UNOC:3+S+R+1'",
      want: {
        position: 3,
        segment: 1,
        expected: 'UNA separators that are distinct and not letters or digits',
        found: JSON.stringify("1+.? '"),
      },
    },
    {
      what: 'a UNA with a letter for terminator',
      input: 'UNA:+.? XUNB+UNOC:3+S+R+1X',
      want: {
        position: 3,
        segment: 1,
        expected: 'UNA separators that are distinct and not letters or digits',
        found: '":+.? X"',
      },
    },
    {
      what: 'a UNA with two equal separators',
      input: "UNA::.? 'UNB+UNOC:3+S+R+1'",
      want: {
        position: 3,
        segment: 1,
        expected: 'UNA separators that are distinct and not letters or digits',
        found: JSON.stringify("::.? '"),
      },
    },
    {
      what: 'a UNA whose terminator is its element separator',
      input: 'UNA:+.? +UNB+UNOC:3+S+R+1+',
      want: {
        position: 3,
        segment: 1,
        expected: 'UNA separators that are distinct and not letters or digits',
        found: '":+.? +"',
      },
    },
    {
      what: 'a bare UNB with an unknown separator',
      input: "UNB*UNOC:3*SENDER*RECEIVER*1'",
      want: {
        position: 3,
        segment: 1,
        expected: "UNB followed by '+' (UNOA) or IS3 (UNOB) when there is no UNA",
        found: '"*"',
      },
    },
    {
      what: 'a file cut off inside a segment',
      input: `${ISA}GS*PO*A*B~ST*85`,
      want: { position: 116, segment: 3, expected: 'segment terminator "~" (file is truncated)', found: '"ST*85"' },
    },
    {
      what: 'a file cut off inside a segment, then blank space',
      input: `${ISA}GS*PO*A*B~ST*85  \n`,
      want: {
        position: 116,
        segment: 3,
        expected: 'segment terminator "~" (file is truncated)',
        found: JSON.stringify('ST*85  \n'),
      },
    },
    {
      what: 'a file cut off after an escaped terminator',
      input: "UNA:+.? 'UNB+UNOC:3+S+R+1'FTX+A?'",
      want: {
        position: 26,
        segment: 3,
        expected: `segment terminator "'" (file is truncated)`,
        found: JSON.stringify("FTX+A?'"),
      },
    },
  ])('$what', ({ input, want }) => {
    expect(error(tokenize(input))).toEqual(want);
  });

  it('blank space alone is an empty file, not an error', () => {
    expect(tokenize(' \r\n\t')).toEqual({ segments: [], trailer: null, first: null, consumed: 4 });
    expect(tokenize('')).toEqual({ segments: [], trailer: null, first: null, consumed: 0 });
  });

  it('a long first line that is no header fails at its start, whatever the chunking', () => {
    expect(error(tokenize('ISB*00*          *00*          *ZZ*SENDER'))).toEqual({
      position: 0,
      segment: 1,
      expected: 'an interchange header (ISA, UNA or UNB)',
      found: '"ISB"',
    });
  });

  it('an ISA whose 16th separator is more than 400 bytes in', () => {
    const long = `ISA*00*${' '.repeat(420)}*00*          *ZZ*S*ZZ*R*210101*1200*^*00501*1*0*T*>~GS*X~`;
    expect(error(tokenize(long))).toEqual({
      position: 0,
      segment: 1,
      expected: 'an ISA header with 16 elements separated by "*"',
      found: JSON.stringify(long.slice(0, 20) + '…'),
    });
  });

  it('an ISA with fewer than 16 separators in 400 bytes and more text after', () => {
    const long = `ISA*00*00~${'X'.repeat(700)}`;
    expect(error(tokenize(long))).toEqual({
      position: 0,
      segment: 1,
      expected: 'an ISA header with 16 elements separated by "*"',
      found: JSON.stringify(long.slice(0, 20) + '…'),
    });
  });

  it('an ISA of exactly 400 bytes to its 16th separator is read; one byte more is not', () => {
    const at400 = (pad: number) =>
      `ISA*00*${' '.repeat(pad)}*00*          *ZZ*S*ZZ*R*210101*1200*^*00501*1*0*T*>~IEA*1*1~`;
    const base = 'ISA*00**00*          *ZZ*S*ZZ*R*210101*1200*^*00501*1*0*T*'.length - 1; // index of the 16th separator with no padding
    expect(tags(tokenize(at400(400 - base)))).toEqual(['ISA@0#1', `IEA@${400 + 3}#2`]);
    expect(error(tokenize(at400(401 - base))).expected).toBe('an ISA header with 16 elements separated by "*"');
  });

  it('a segment longer than the limit is an error rather than a reason to buffer more', () => {
    const input = `${ISA}GS*${'A'.repeat(40)}`;
    expect(error(tokenize(input, { maxSegmentBytes: 32 }))).toEqual({
      position: 106,
      segment: 2,
      expected: 'a segment terminator within 32 bytes',
      found: JSON.stringify('GS*AAAAAAAAAAAAAAAAA…'),
    });
    expect(tags(tokenize(`${input}~IEA*1*1~`, { maxSegmentBytes: 43 }))).toEqual(['ISA@0#1', 'GS@106#2', 'IEA@150#3']);
  });
});

describe('a file whose last segment lacks only its terminator', () => {
  it.each([
    { what: 'IEA', input: `${ISA}GS*PO~IEA*1*000000001`, tag: 'IEA', position: 112 },
    { what: 'IEA followed by line breaks', input: `${ISA}GS*PO~IEA*1*000000001\r\n\n`, tag: 'IEA', position: 112 },
    { what: 'UNZ', input: "UNA:+.? 'UNB+UNOC:3+S+R+1'UNZ+1+1", tag: 'UNZ', position: 26 },
  ])('$what: handed on as the last segment, and remembered', ({ input, tag, position }) => {
    const o = ok(tokenize(input));
    const last = o.segments[o.segments.length - 1]!;
    expect(last.tag).toBe(tag);
    expect(last.offset).toBe(position);
    expect(last.text).toBe(`${tag}${tag === 'IEA' ? '*1*000000001' : '+1+1'}`);
    expect(o.trailer).toEqual({ tag, position, segment: last.index, terminator: tag === 'IEA' ? '~' : "'" });
    expect(last.index).toBe(o.segments.length + (tag === 'UNZ' ? 1 : 0));
  });

  it('a trailer cut by a line break is a truncated file, not a trailer', () => {
    expect(error(tokenize(`${ISA}GS*PO~IEA*1\n*000000001`)).expected).toBe(
      'segment terminator "~" (file is truncated)',
    );
  });

  it('another segment lacking its terminator is a truncated file', () => {
    expect(error(tokenize(`${ISA}GS*PO~GE*1*1`)).expected).toBe('segment terminator "~" (file is truncated)');
  });

  it('"IEA" without its element separator is not a trailer', () => {
    expect(error(tokenize(`${ISA}GS*PO~IEA`)).expected).toBe('segment terminator "~" (file is truncated)');
  });
});

// Edges found by mutation testing (`npm run mutate ediTokenizer`): each case below failed with one surviving mutant.
describe('edges: blank space, empty and bare segments, byte order marks', () => {
  it('blank space after the last terminated segment is no truncation, even with the interchange still open', () => {
    const o = ok(tokenize(`${ISA}GS*PO~ \t \r\n`));
    expect(tags(o)).toEqual(['ISA@0#1', 'GS@106#2']);
    expect(o.consumed).toBe(112);
  });

  it('a cut-off segment after blank space is reported where its text starts', () => {
    expect(error(tokenize(`${ISA}GS*PO~ \t ST*85`))).toEqual({
      position: 115,
      segment: 3,
      expected: 'segment terminator "~" (file is truncated)',
      found: '"ST*85"',
    });
  });

  it('an unterminated trailer after blank space: its position is where its tag starts', () => {
    const o = ok(tokenize(`${ISA}GS*PO~  IEA*1*1`));
    expect(o.trailer).toEqual({ tag: 'IEA', position: 114, segment: 3, terminator: '~' });
    expect(o.segments[2]).toMatchObject({ tag: 'IEA', offset: 114, index: 3, text: 'IEA*1*1' });
  });

  it('a segment of its tag alone', () => {
    const o = ok(tokenize(`${ISA}GS*PO~SE~ABC~IEA*1*1~`));
    expect(o.segments.map((s) => `${s.tag} ${s.text}`)).toEqual([
      'ISA ' + ISA.slice(0, -1),
      'GS GS*PO',
      'SE SE',
      'ABC ABC',
      'IEA IEA*1*1',
    ]);
  });

  it('an empty segment (two terminators in a row) has no tag', () => {
    expect(error(tokenize(`${ISA}GS*PO~~IEA*1*1~`))).toEqual({
      position: 112,
      segment: 3,
      expected: 'a segment tag (2 or 3 capital letters or digits)',
      found: 'end of file',
    });
  });

  it('a carriage return before a terminator other than a line feed is part of the segment', () => {
    expect(ok(tokenize(`${ISA}GS*PO\r~IEA*1*1~`)).segments[1]!.text).toBe('GS*PO\r');
  });

  it('a file of a byte order mark alone is empty', () => {
    expect(tokenize('\xef\xbb\xbf')).toEqual({ segments: [], trailer: null, first: null, consumed: 3 });
    expect(tokenize('\xef\xbb\xbf\r\n')).toEqual({ segments: [], trailer: null, first: null, consumed: 5 });
  });

  it.each([
    { what: 'a first byte other than 0xef', bom: '\x00\xbb\xbf' },
    { what: 'a second byte other than 0xbb', bom: '\xef\x00\xbf' },
    { what: 'a third byte other than 0xbf', bom: '\xef\xbb\x00' },
  ])('three bytes that are no byte order mark ($what) are no header', ({ bom }) => {
    expect(error(tokenize(`${bom}${ISA}${X12_BODY}`))).toEqual({
      position: 0,
      segment: 1,
      expected: 'an interchange header (ISA, UNA or UNB)',
      found: JSON.stringify(bom),
    });
  });
});

describe('edges: release characters', () => {
  it('X12 has none: no byte escapes a terminator (not even 0x01)', () => {
    const o = ok(tokenize(`${ISA}GS*A\x01~ST*B?~IEA*1*1~`));
    expect(o.segments.map((s) => s.text).slice(1)).toEqual(['GS*A\x01', 'ST*B?', 'IEA*1*1']);
  });

  it('UNOB has none either', () => {
    const o = ok(tokenize('UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d1\x01\x1cUNZ\x1d1\x1d1\x1c'));
    expect(o.segments.map((s) => s.text)).toEqual(['UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d1\x01', 'UNZ\x1d1\x1d1']);
  });

  it('a UNA may name any byte as release character, NUL too', () => {
    const o = ok(tokenize("UNA:+.\x00 'UNB+UNOC:3+S+R+1'FTX+A\x00'B'UNZ+1+1'"));
    expect(o.segments.map((s) => s.text)).toEqual(['UNB+UNOC:3+S+R+1', "FTX+A\x00'B", 'UNZ+1+1']);
    expect(o.segments[0]!.sep).toBe("+:'|\x00|-|latin1");
  });

  it('a release character first in a segment escapes the terminator after it', () => {
    expect(error(tokenize("UNA:+.? 'UNB+UNOC:3+S+R+1'?'UNZ+1+1'"))).toEqual({
      position: 26,
      segment: 3,
      expected: 'a segment tag (2 or 3 capital letters or digits)',
      found: JSON.stringify("?'UNZ+1+1"),
    });
  });

  it('only an odd run of release characters escapes: ?? then the terminator ends the segment, ??? does not', () => {
    const o = ok(tokenize("UNA:+.? 'UNB+UNOC:3+S+R+1'FTX+A??'FTX+B???'C'UNZ+1+1'"));
    expect(o.segments.map((s) => s.text)).toEqual(['UNB+UNOC:3+S+R+1', 'FTX+A??', "FTX+B???'C", 'UNZ+1+1']);
  });
});

describe('edges: the multibyte-terminator hint at its byte bounds', () => {
  const tagError = 'a segment tag (2 or 3 capital letters or digits)';
  const hint = (term: number, c: number) =>
    `${tagError} — the segment terminator looks like a multibyte character (byte 0x${term.toString(16)} followed by 0x${c.toString(16)}): EDI separators are single bytes; the sender's translator must use a one-byte terminator`;
  const input = (term: number, c: number) => {
    const t = String.fromCharCode(term);
    return Buffer.concat([
      Buffer.from(isa('*', '^', '>', t), 'latin1'),
      Buffer.from([c]),
      Buffer.from(`GS*PO${t}IEA*1*1${t}`, 'latin1'),
    ]);
  };
  it.each([
    { term: 0xc2, c: 0x80 },
    { term: 0xc2, c: 0xbf },
    { term: 0xc0, c: 0xa7 },
    { term: 0xff, c: 0xa7 },
  ])('terminator 0x$term.toString(16), then $c', ({ term, c }) => {
    expect(error(tokenize(input(term, c)))).toEqual({
      position: 106,
      segment: 2,
      expected: hint(term, c),
      found: JSON.stringify(`${String.fromCharCode(c)}GS*PO`),
    });
  });
});

describe('edges: the tag cache', () => {
  it('bytes that are no tag are never taken for a tag seen before', () => {
    // Each pair would share a cache key (tag bytes as a base-256 number, times 8, plus the length) if a mutant made
    // the key not one-to-one: bytes below 'A' (NUL, control characters) are what it takes.
    for (const [seen, junk] of [
      ['AB', '\x10Px'],
      ['AB', '\x00!B'],
      ['AH', '\x00\x01\x05'],
    ] as const) {
      expect(error(tokenize(`${ISA}${seen}*1~${junk}*2~IEA*1*1~`))).toMatchObject({
        position: 106 + seen.length + 3,
        segment: 3,
        expected: 'a segment tag (2 or 3 capital letters or digits)',
      });
    }
  });
});

describe('edges: headers at their limits', () => {
  it('a UNA alone is an empty interchange, not a cut-off UNA', () => {
    expect(tokenize("UNA:+.? '")).toEqual({ segments: [], trailer: null, first: 'edifact', consumed: 9 });
  });

  it("a UNA's separators hold Latin-1 values until a UNB names the syntax", () => {
    const o = ok(tokenize("UNA:+.? 'UNH+1+ORDERS:D:96A:UN'UNB+UNOY:3+S+R+1'UNZ+1+1'"));
    expect(o.segments.map((s) => `${s.tag} ${s.sep}`)).toEqual([
      "UNH +:'|?|-|latin1",
      "UNB +:'|?|-|utf8",
      "UNZ +:'|?|-|utf8",
    ]);
  });

  it('an ISA cut off at exactly 400 bytes, still short of 16 separators, is a cut-off header', () => {
    const cut = `ISA*00*${' '.repeat(393)}`;
    expect(cut.length).toBe(400);
    expect(error(tokenize(cut))).toEqual({
      position: 0,
      segment: 1,
      expected: 'a complete ISA header (16 element separators, then component separator and segment terminator)',
      found: JSON.stringify(`${cut.slice(0, 20)}…`),
    });
    expect(error(tokenize(`${cut} `)).expected).toBe('an ISA header with 16 elements separated by "*"');
  });

  it('a release character that is a line break does not reach back over the line break before a segment', () => {
    expect(error(tokenize("UNA:+.\n 'UNB+UNOC:3+S+R+1'\n'UNZ+1+1'"))).toEqual({
      position: 27,
      segment: 3,
      expected: 'a segment tag (2 or 3 capital letters or digits)',
      found: 'end of file',
    });
  });
});
