import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';
import { readEdi } from './readEdi.ts';

// Samples written by others (test/fixtures/edi/public/SOURCES.md has where from and the licences).
const PUBLIC = new URL('../../../../test/fixtures/edi/public/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, PUBLIC));

describe('public EDI samples from other projects', () => {
  it.each([
    [
      'node-x12-850.edi',
      { icn: '000003438', sender: '12:4405197800', receiver: '01:999999999', txs: ['1421/850/000000010/08292233294'] },
    ],
    [
      'node-x12-855.edi',
      { icn: '000000005', sender: 'ZZ:1556150', receiver: 'ZZ:123MILL', txs: ['5/855/0005/POTEST1112'] },
    ],
  ])('%s: envelope, control numbers and business number', async (name, want) => {
    const p = await parseEdi(sample(name));
    expect(p.errors).toEqual([]);
    const ic = p.interchanges[0]!;
    expect({
      icn: ic.control_number,
      sender: `${ic.sender.qualifier}:${ic.sender.id}`,
      receiver: `${ic.receiver.qualifier}:${ic.receiver.id}`,
    }).toEqual({ icn: want.icn, sender: want.sender, receiver: want.receiver });
    expect(
      ic.groups.flatMap((g) =>
        g.transactions.map(
          (t) => `${g.control_number}/${t.set_id}/${t.control_number}/${t.business_reference?.value ?? '-'}`,
        ),
      ),
    ).toEqual(want.txs);
  });

  it('every segment is counted (the same count as splitting the text on its terminator)', async () => {
    for (const name of ['node-x12-850.edi', 'node-x12-855.edi']) {
      const bytes = sample(name);
      const expected = bytes
        .toString('latin1')
        .split('~')
        .filter((x) => x.trim() !== '').length;
      expect((await readEdi(bytes, {})).segments).toBe(expected);
    }
  });
});
