import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunityDriver, type CommunityDriver } from '../../connectors/tradinggrid/community/driver.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import { countCommunityRequestsAbout, EDI_ONLY_PARTNER } from './ediMailbox.ts';

let sb: TradingGridSandbox;
let tg: CommunityDriver;

beforeAll(async () => {
  sb = await startTradingGridSandbox({ idTag: 'edi' });
  await sb.addPartner({ id: EDI_ONLY_PARTNER, name: 'Wayne Fasteners', tier: 'preferred' });
  tg = createCommunityDriver({
    baseUrl: sb.url,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    retries: 0,
  });
});
afterAll(async () => {
  await tg.close();
  await sb.close();
});

// The demo's claim "no request to the community API about the EDI-only partner" counts that partner's requests
// only: other partners' work settling at the same time must not add to it, and a read of this one must.
describe('countCommunityRequestsAbout', () => {
  it('counts requests naming or filtering by the partner, and none about other partners', async () => {
    const reads = countCommunityRequestsAbout(sb, EDI_ONLY_PARTNER);
    try {
      expect((await tg.getPartner('P-ACME')).ok).toBe(true);
      expect((await tg.listCases({ partnerId: 'P-ACME' })).ok).toBe(true);
      expect((await tg.listCases({})).ok).toBe(true);
      expect(reads.count()).toBe(0);
      expect((await tg.getPartner(EDI_ONLY_PARTNER)).ok).toBe(true);
      expect(reads.count()).toBe(1);
      expect((await tg.listCases({ partnerId: EDI_ONLY_PARTNER })).ok).toBe(true);
      expect(reads.count()).toBe(2);
    } finally {
      reads.stop();
    }
    expect((await tg.getPartner(EDI_ONLY_PARTNER)).ok).toBe(true);
    expect(reads.count()).toBe(2);
  });
});
