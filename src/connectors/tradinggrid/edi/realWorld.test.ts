import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, FIXTURES), 'latin1');
const parse = (s: string, opts = {}) => parseEdi(Buffer.from(s, 'latin1'), opts);
const messages = async (s: string) => (await parse(s)).errors.map((e) => e.message).join('\n');

describe('functional acknowledgements that break their own rules are not believed', () => {
  it('a 997 whose AK302 segment position is not a number is an error at that segment, and no acknowledgement is read from it', async () => {
    const p = await parse(text('997-rejected.x12').replace('AK3*N1*8*N1*8~', 'AK3*N1*X8*N1*8~'));
    expect(p.complete).toBe(false);
    expect(p.acknowledgments).toEqual([]);
    expect(p.errors).toEqual([
      { segment: 6, position: expect.any(Number), message: '997 0001: expected AK302 to be a number, found "X8"' },
    ]);
  });

  it('repetitions inside AK3/AK4 (no element there repeats) are an error', async () => {
    // Version 00501: ISA11 is the repetition separator "^".
    const s = text('997-rejected.x12').replace('*U*00401*', '*^*00501*').replace('AK4*2*98*7*ZZ~', 'AK4*2^3*98*7*ZZ~');
    expect(await messages(s)).toContain(
      'expected no repetition in AK401 (no element of AK4 repeats), found the repetition separator "^" in "2^3"',
    );
  });

  it.each([
    ['AK5*Q*5~', 'expected AK501 to be a status code (A, E, M, R, W, X), found "Q"'],
    ['AK4*two*98*7*ZZ~', 'expected AK401 to be an element position'],
  ])('%s is refused', async (segment, message) => {
    const s = text('997-rejected.x12').replace(segment.startsWith('AK5') ? 'AK5*R*5~' : 'AK4*2*98*7*ZZ~', segment);
    expect(await messages(s)).toContain(message);
  });

  it("AK4's composite position keeps its component and repetition (AK4*5:1:2)", async () => {
    const p = await parse(text('997-rejected.x12').replace('AK4*2*98*7*ZZ~', 'AK4*5>1>2*98*7*ZZ~'));
    expect(p.errors).toEqual([]);
    expect(p.acknowledgments[1]!.errors[1]).toEqual({
      segment: 'N1',
      position: 8,
      element: 5,
      component: 1,
      repetition: 2,
      code: '7',
      description: 'Invalid code value',
    });
  });

  it('CTX repetitions are each a context (name and reference)', async () => {
    const p = await parse(
      text('999-rejected.x12').replace('CTX*SITUATIONAL TRIGGER*HL*3~', 'CTX*SITUATIONAL TRIGGER^CLM01>A37YH556*HL*3~'),
    );
    expect(p.errors).toEqual([]);
    expect(p.acknowledgments[1]!.errors[0]!.description).toBe(
      'Segment has data element errors; context SITUATIONAL TRIGGER, CLM01 A37YH556',
    );
  });
});

describe('a complete trailer missing only its final terminator', () => {
  const cut = text('997-accepted.x12').trimEnd().replace(/~$/, '');
  it('is named for what it is, and refused by default', async () => {
    const p = await parse(cut);
    expect(p.complete).toBe(false);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.message).toContain(
      'the file ends with the interchange trailer IEA without its segment terminator "~"',
    );
    expect(p.errors[0]!.message).toContain('The trailer is complete and matches the interchange');
    expect(p.errors[0]!.message).not.toContain('truncated');
  });
  it('is accepted with a warning when configured, and read in full', async () => {
    const p = await parse(`${cut}\r\n`, { acceptMissingFinalTerminator: true });
    expect(p.errors).toEqual([]);
    expect(p.complete).toBe(true);
    expect(p.warnings).toEqual([
      {
        segment: expect.any(Number),
        position: expect.any(Number),
        message: expect.stringContaining('the file was accepted'),
      },
    ]);
    expect(p.acknowledgments.length).toBe(3);
  });
  it('a trailer whose counts do not match is still an error, and says both', async () => {
    const m = await messages(cut.replace(/IEA\*1\*/, 'IEA*2*'));
    expect(m).toContain('expected IEA01 group count 1, found "2"');
    expect(m).toContain('does not match the interchange');
  });
});

describe('the causes of "expected a segment tag" are named', () => {
  const isa =
    'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240301*0930*U*00401*000000001*0*P*>';
  it.each([
    ['indentation', `${isa}~\n  GS*PO*A*B*20240301*0930*1*X*004010~`, 'the segment is indented'],
    [
      'a line break inside a segment (newline-terminated file)',
      `${isa}\nGS*PO*A*B*20240301*0930*1*X*004010\nST*850*0001\nBEG*00*SA*PO\n*1**20240301\n`,
      'a line break inside a segment',
    ],
    ['a multibyte terminator', `${isa}’GS*PO*A*B*20240301*0930*1*X*004010’`, 'multibyte character'],
  ])('%s', async (_name, s, cause) => {
    const bytes = Buffer.from(s, 'utf8');
    const p = await parseEdi(bytes);
    expect(p.errors[0]!.message).toContain('a segment tag');
    expect(p.errors[0]!.message).toContain(cause);
  });
});

describe('one width rule: content is checked, padding is not', () => {
  const base = text('997-accepted.x12');
  it('a short ISA06 and a short ISA13 both pass (their content is valid), matched by number against IEA02', async () => {
    const s = base
      .replace('ZZ*ACMESUPPLY     *', 'ZZ*ACMESUPPLY*')
      .replace(/\*(0+)(\d+)\*0\*P\*/, (_m, _z, n) => `*${n}*0*P*`);
    const p = await parse(s);
    expect(p.errors).toEqual([]);
    expect(p.interchanges[0]!.sender.id).toBe('ACMESUPPLY');
  });
  it.each([
    [
      'ISA09 not a date',
      base.replace('*240301*0930*', '*241301*0930*'),
      'expected ISA09 interchange date YYMMDD, found "241301"',
    ],
    ['ISA10 not a time', base.replace('*240301*0930*', '*240301*2575*'), 'expected ISA10 interchange time HHMM'],
    [
      'UNB syntax 4 with a 6-digit date',
      "UNB+UNOC:4+A:14+B:14+240301:0930+1'UNZ+0+1'",
      'expected UNB date (0017) CCYYMMDD for syntax version 4, found "240301"',
    ],
    [
      'UNB syntax 3 with an 8-digit date',
      "UNB+UNOC:3+A:14+B:14+20240301:0930+1'UNZ+0+1'",
      'expected UNB date (0017) YYMMDD for syntax version 3, found "20240301"',
    ],
  ])('%s is refused', async (_name, s, message) => {
    expect(await messages(s)).toContain(message);
  });
  it('UNB syntax 4 with CCYYMMDD passes', async () => {
    expect((await parse("UNB+UNOC:4+A:14+B:14+20240301:0930+1'UNZ+0+1'")).errors).toEqual([]);
  });
});

describe('a broken file reports what was read around the error', () => {
  it('the good interchange before a broken one is reported, with the error', async () => {
    const good = text('997-accepted.x12');
    const p = await parse(`${good}${text('truncated.x12')}`);
    expect(p.complete).toBe(false);
    expect(p.errors).toHaveLength(1);
    expect(p.interchanges[0]!.control_number).toBe('000000501');
    expect(p.acknowledgments.map((a) => a.normalized)).toEqual(['accepted', 'accepted', 'accepted']);
  });
});
