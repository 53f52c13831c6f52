/** Partner-side controls over HTTP under `/_sandbox/...` (no auth, no faults): what a partner does, and the test knobs. */
import type { IncomingMessage } from 'node:http';
import type { Faults } from './faults.ts';
import { json, readBody, type Router } from './router.ts';
import { docsFromJson, parseJson, readDocumentUpload, UPLOAD_LIMIT } from './requests.ts';
import type { AddPartnerInput, RaiseCaseInput, RequestApprovalInput, TradingGridState } from './state.ts';
import type { SandboxEvent } from './delivery.ts';

export interface ControlDeps {
  state: TradingGridState;
  stats: () => unknown;
  events: readonly SandboxEvent[];
  faults: () => Faults;
  setFaults: (f: Partial<Faults>) => void;
  expireTokens: () => void;
  setWebhookUrl: (url: string | undefined) => void;
}

/** Adds the `/_sandbox/...` control routes to `control`. */
export function addControlRoutes(control: Router, d: ControlDeps): void {
  const { state } = d;
  const body = async (req: IncomingMessage) => parseJson(await readBody(req, UPLOAD_LIMIT));
  control.add('POST', '/_sandbox/cases', async ({ req }) => {
    const b = await body(req);
    return json(201, state.raiseCase({
      partnerId: String(b.partner_id ?? b.partnerId ?? ''),
      kind: b.kind as RaiseCaseInput['kind'],
      title: String(b.title ?? ''),
      description: b.description as string | undefined,
      transactionRef: (b.transaction_ref ?? b.transactionRef) as RaiseCaseInput['transactionRef'],
      value: b.value as RaiseCaseInput['value'],
      documents: docsFromJson(b.documents),
    }));
  });
  control.add('POST', '/_sandbox/cases/:id/documents', async ({ req, params }) => {
    state.getCase(params.id!);
    return json(201, state.addDocument({ caseId: params.id! }, await readDocumentUpload(req), 'partner'));
  });
  control.add('POST', '/_sandbox/cases/:id/comments', async ({ req, params }) => {
    const b = await body(req);
    return json(201, state.addComment(params.id!, b.body as string, b.author as string | undefined, 'partner'));
  });
  control.add('POST', '/_sandbox/requests', async ({ req }) => {
    const b = await body(req);
    return json(201, state.requestApproval({
      partnerId: String(b.partner_id ?? b.partnerId ?? ''),
      kind: b.kind as RequestApprovalInput['kind'],
      summary: String(b.summary ?? ''),
      details: b.details as string | undefined,
      value: b.value as RequestApprovalInput['value'],
      documents: docsFromJson(b.documents),
    }));
  });
  control.add('POST', '/_sandbox/requests/:id/withdraw', ({ params }) => json(200, state.withdrawRequest(params.id!)));
  control.add('POST', '/_sandbox/notices/:id/acknowledgements', async ({ req, params }) => {
    const b = await body(req);
    return json(200, state.acknowledgeNotice(params.id!, String(b.partner_id ?? b.partnerId ?? ''), b.contact as string | undefined));
  });
  control.add('POST', '/_sandbox/trading_partners', async ({ req }) => json(201, state.addPartner((await body(req)) as unknown as AddPartnerInput)));
  control.add('POST', '/_sandbox/trading_partners/:id/status', async ({ req, params }) => json(200, state.setPartnerStatus(params.id!, String((await body(req)).status))));
  control.add('POST', '/_sandbox/compliance_requirements', async ({ req }) => {
    const b = await body(req);
    return json(201, state.addComplianceRequirement({ partnerId: (b.partner_id ?? b.partnerId) as string | undefined, title: String(b.title ?? ''), category: String(b.category ?? ''), dueAt: String(b.due_at ?? b.dueAt ?? '') }));
  });
  control.add('GET', '/_sandbox/stats', () => json(200, d.stats()));
  control.add('GET', '/_sandbox/events', ({ query }) => json(200, { total_count: d.events.length, data: d.events.slice(-Math.min(1000, Number(query.get('limit') ?? 100))) }));
  control.add('GET', '/_sandbox/faults', () => json(200, d.faults()));
  control.add('POST', '/_sandbox/faults', async ({ req }) => {
    d.setFaults(await body(req));
    return json(200, d.faults());
  });
  control.add('POST', '/_sandbox/expire_tokens', () => {
    d.expireTokens();
    return json(200, { expired: true });
  });
  control.add('POST', '/_sandbox/webhook', async ({ req }) => {
    const b = await body(req);
    d.setWebhookUrl(typeof b.url === 'string' ? b.url : undefined);
    return json(200, { url: b.url ?? null });
  });
}
