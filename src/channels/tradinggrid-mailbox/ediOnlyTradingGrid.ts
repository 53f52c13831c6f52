import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { TradingGridPort } from '../../connectors/tradinggrid/port.ts';
import type { TradingPartner } from '../../connectors/tradinggrid/events.ts';
import { err, ok, RemoteFailure, type RemoteError, type Result } from '../../core/result.ts';
import { getAcPartner } from '../../store/ops/acPartnerSnapshot.ts';

/** Code of the error every community-only call answers with in an EDI-only deployment. */
export const NO_COMMUNITY_API = 'tg:no_community_api';

const noCommunity = (what: string): RemoteError => ({
  code: NO_COMMUNITY_API,
  retryable: false,
  detail: `${what} needs the Trading Grid community API, and this deployment has none (tradinggrid.driver: mailbox)`,
});

/**
 * The Trading Grid port of an EDI-only deployment (`tradinggrid.driver: mailbox`). The EDI mailbox is the
 * whole Trading Grid side, so nothing here opens a connection: a partner is read from the Active Community
 * CSV snapshot (section ac_csv) and then from `partners.map`, and every call that only the community API
 * can answer fails at once, not retryable, saying so. Callers that would reach such a call in an EDI-only
 * deployment check the driver first (mailbox cases skip Trading Grid effects; the scorecard push is off).
 */
export function createEdiOnlyTradingGrid(
  db: Kysely<Database>,
  config: Pick<GridbridgeConfig, 'partners'>,
  now: () => number = Date.now,
): TradingGridPort {
  const fail =
    <T>(what: string) =>
    async (): Promise<Result<T>> =>
      err(noCommunity(what));
  const failIterate = (what: string) =>
    async function* (): AsyncGenerator<never> {
      throw new RemoteFailure(noCommunity(what));
    };

  async function getPartner(id: string): Promise<Result<TradingPartner>> {
    const snapshot = await getAcPartner(db, id);
    if (snapshot !== null) {
      const p = JSON.parse(snapshot) as TradingPartner;
      const mapped = config.partners.map[id];
      // The config's name wins: it is what the operator chose to see on tasks.
      return ok({
        ...p,
        ...(mapped?.name ? { name: mapped.name } : {}),
        ...(mapped?.tier ? { tier: mapped.tier } : {}),
      });
    }
    const mapped = config.partners.map[id];
    if (!mapped)
      return err({
        code: 'tg:not_found',
        retryable: false,
        status: 404,
        detail: `partner ${id} is neither in partners.map nor in the Active Community CSV export`,
      });
    const at = new Date(now()).toISOString();
    return ok({
      id,
      name: mapped.name ?? id,
      tier: mapped.tier ?? 'standard',
      edi_addresses: [],
      status: 'active',
      contacts: [],
      created_at: at,
      updated_at: at,
    });
  }

  return {
    driver: 'mailbox',
    close: async () => undefined,
    getPartner,
    listPartners: fail('listing partners'),
    iteratePartners: failIterate('listing partners'),
    createPartner: fail('creating a partner'),
    setPartnerStatus: fail("setting a partner's status"),
    putScorecard: fail('pushing a scorecard'),
    getCase: fail('reading a community case'),
    listCases: fail('listing community cases'),
    iterateCases: failIterate('listing community cases'),
    setCaseStatus: fail("setting a community case's status"),
    setCaseFields: fail("changing a community case's fields"),
    listCaseComments: fail("reading a community case's comments"),
    addCaseComment: fail('commenting on a community case'),
    listCaseDocuments: fail("listing a community case's documents"),
    getDocument: fail('reading a community document'),
    downloadDocument: fail('downloading a community document'),
    uploadCaseDocument: fail('uploading a document to a community case'),
    getComplianceRequirement: fail('reading a compliance requirement'),
    listComplianceRequirements: fail('listing compliance requirements'),
    getRequest: fail('reading a partner request'),
    listRequests: fail('listing partner requests'),
    decideRequest: fail('deciding a partner request'),
    getNotice: fail('reading a notice'),
    listNotices: fail('listing notices'),
    publishNotice: fail('publishing a notice'),
    pollChanges: fail('polling community changes'),
  };
}
