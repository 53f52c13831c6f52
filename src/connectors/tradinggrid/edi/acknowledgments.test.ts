import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';

const contrl = (uci: string, rest = '', syntax = '3') =>
  Buffer.from(
    `UNA:+.? 'UNB+UNOC:${syntax}+5790000000001:14+GRIDBRIDGE:ZZ+${syntax === '4' ? '20240301' : '240301'}:0930+C1'UNH+CM1+CONTRL:D:3:UN'UCI+INT0042+GRIDBRIDGE:ZZ+5790000000001:14+${uci}'${rest}UNT+${3 + rest.split("'").length - 1}+CM1'UNZ+1+C1'`,
    'latin1',
  );
const outcomes = async (buf: Buffer) => {
  const p = await parseEdi(buf);
  expect(p.errors).toEqual([]);
  return p.acknowledgments.map((a) => `${a.acknowledges.transaction_control_number ?? 'UCI'}=${a.normalized}`);
};

describe('CONTRL action codes (0083), the whole list', () => {
  it.each([
    ['1', 'accepted'],
    ['2', 'accepted_with_errors'],
    ['3', 'partially_accepted'],
    ['4', 'rejected'],
    ['5', 'accepted'],
    ['6', 'rejected'],
    ['7', 'accepted'],
    ['8', 'received'],
  ])('UCI action %s reads as %s', async (code, outcome) => {
    expect(await outcomes(contrl(code))).toEqual([`UCI=${outcome}`]);
  });

  it('an interchange acknowledged with one message rejected is partially accepted; "received" stays received', async () => {
    expect(await outcomes(contrl('7', "UCM+M1+ORDERS:D:96A:UN+7'UCM+M2+ORDERS:D:96A:UN+4'"))).toEqual([
      'UCI=partially_accepted',
      'M1=accepted',
      'M2=rejected',
    ]);
    expect(await outcomes(contrl('8'))).toEqual(['UCI=received']);
  });
});

describe('CONTRL UCD read per the syntax version of its interchange (UNB S001 0002)', () => {
  const ucd = "UCM+M1+ORDERS:D:96A:UN+4'UCS+5+13'UCD+12+3:1:2'";
  it.each([
    ['1', { element: 3, component: 1 }],
    ['2', { element: 3, component: 1 }],
    ['3', { element: 3, component: 1 }],
    ['4', { element: 3, component: 1, repetition: 2 }],
  ])('syntax version %s: S011 is %o', async (syntax, where) => {
    const p = await parseEdi(contrl('7', ucd, syntax));
    expect(p.errors).toEqual([]);
    expect(p.acknowledgments[1]!.errors).toEqual([
      { position: 5, code: '13', description: 'Missing' },
      { position: 5, ...where, code: '12', description: 'Invalid value' },
    ]);
  });
});

const aperak = (bgm: string, body = '') =>
  Buffer.from(
    `UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+A1'UNH+AP1+APERAK:D:96A:UN'${bgm}'RFF+ACW:M1'${body}UNT+${4 + body.split("'").length - 1}+AP1'UNZ+1+A1'`,
    'latin1',
  );

describe('APERAK read per its message definition (BGM 1225 and ERC)', () => {
  it.each([
    ['no function code, no ERC: acknowledged', 'BGM+305+APK-1', '', 'accepted'],
    [
      'response (11) with an ERC: rejected during processing',
      'BGM+305+APK-2+11',
      "ERC+12'FTX+AAO+++Unknown item'",
      'rejected',
    ],
    ['no function code with an ERC: rejected', 'BGM+305+APK-3', "ERC+14'", 'rejected'],
    ['not accepted (27) without an ERC: rejected', 'BGM+305+APK-4+27', '', 'rejected'],
    [
      'accepted without amendment (29) with an ERC: accepted with errors',
      'BGM+305+APK-5+29',
      "ERC+14'",
      'accepted_with_errors',
    ],
    ['accepted without amendment (29), no ERC: accepted', 'BGM+305+APK-6+29', '', 'accepted'],
  ])('%s', async (_name, bgm, body, outcome) => {
    expect(await outcomes(aperak(bgm, body))).toEqual([`M1=${outcome}`]);
  });
});
