/** Partner-side controls over HTTP under `/_sandbox/...` (no auth, no faults): what a partner does, and the test knobs. */
import type { IncomingMessage } from 'node:http';
import { TradingGridFaultsBody, type TradingGridFaults } from '../shared/faults.ts';
import { readBody } from '../shared/router.ts';
import { json, type TradingGridRouter } from './http.ts';
import { docsFromJson, parseJson, readDocumentUpload, UPLOAD_LIMIT } from './requests.ts';
import type { TradingGridState } from './state.ts';
import {
  AcknowledgeBody,
  AddPartnerBody,
  CommentBody,
  ComplianceBody,
  parseBody,
  PartnerStatusBody,
  RaiseCaseBody,
  RequestApprovalBody,
  WebhookBody,
} from './controlSchemas.ts';
import type { SandboxEvent } from './delivery.ts';

export interface ControlDeps {
  state: TradingGridState;
  stats: () => unknown;
  events: readonly SandboxEvent[];
  faults: () => TradingGridFaults;
  setFaults: (f: Partial<TradingGridFaults>) => void;
  expireTokens: () => void;
  setWebhookUrl: (url: string | undefined) => void;
}

/** Adds the `/_sandbox/...` control routes to `control`. */
export function addControlRoutes(control: TradingGridRouter, d: ControlDeps): void {
  const { state } = d;
  const body = async (req: IncomingMessage) => parseJson(await readBody(req, UPLOAD_LIMIT));
  control.add('POST', '/_sandbox/cases', async ({ req }) => {
    const b = parseBody(RaiseCaseBody, await body(req));
    return json(
      201,
      state.raiseCase({
        partnerId: b.partner_id ?? b.partnerId ?? '',
        kind: b.kind,
        title: b.title,
        description: b.description,
        transactionRef: b.transaction_ref ?? b.transactionRef,
        value: b.value,
        documents: docsFromJson(b.documents),
      }),
    );
  });
  control.add('POST', '/_sandbox/cases/{id}/documents', async ({ req, params }) => {
    state.getCase(params.id!);
    return json(201, state.addDocument({ caseId: params.id! }, await readDocumentUpload(req), 'partner'));
  });
  control.add('POST', '/_sandbox/cases/{id}/comments', async ({ req, params }) => {
    const b = parseBody(CommentBody, await body(req));
    return json(201, state.addComment(params.id!, b.body, b.author, 'partner'));
  });
  control.add('POST', '/_sandbox/requests', async ({ req }) => {
    const b = parseBody(RequestApprovalBody, await body(req));
    return json(
      201,
      state.requestApproval({
        partnerId: b.partner_id ?? b.partnerId ?? '',
        kind: b.kind,
        summary: b.summary,
        details: b.details,
        value: b.value,
        documents: docsFromJson(b.documents),
      }),
    );
  });
  control.add('POST', '/_sandbox/requests/{id}/withdraw', ({ params }) => json(200, state.withdrawRequest(params.id!)));
  control.add('POST', '/_sandbox/notices/{id}/acknowledgements', async ({ req, params }) => {
    const b = parseBody(AcknowledgeBody, await body(req));
    return json(200, state.acknowledgeNotice(params.id!, b.partner_id ?? b.partnerId ?? '', b.contact));
  });
  control.add('POST', '/_sandbox/trading_partners', async ({ req }) =>
    json(201, state.addPartner(parseBody(AddPartnerBody, await body(req)))),
  );
  control.add('POST', '/_sandbox/trading_partners/{id}/status', async ({ req, params }) =>
    json(200, state.setPartnerStatus(params.id!, parseBody(PartnerStatusBody, await body(req)).status)),
  );
  control.add('POST', '/_sandbox/compliance_requirements', async ({ req }) => {
    const b = parseBody(ComplianceBody, await body(req));
    return json(
      201,
      state.addComplianceRequirement({
        partnerId: b.partner_id ?? b.partnerId,
        title: b.title,
        category: b.category,
        dueAt: b.due_at ?? b.dueAt ?? '',
      }),
    );
  });
  control.add('GET', '/_sandbox/stats', () => json(200, d.stats()));
  control.add('GET', '/_sandbox/events', ({ query }) =>
    json(200, {
      total_count: d.events.length,
      data: d.events.slice(-Math.min(1000, Number(query.get('limit') ?? 100))),
    }),
  );
  control.add('GET', '/_sandbox/faults', () => json(200, d.faults()));
  control.add('POST', '/_sandbox/faults', async ({ req }) => {
    d.setFaults(parseBody(TradingGridFaultsBody, await body(req)));
    return json(200, d.faults());
  });
  control.add('POST', '/_sandbox/expire_tokens', () => {
    d.expireTokens();
    return json(200, { expired: true });
  });
  control.add('POST', '/_sandbox/webhook', async ({ req }) => {
    const b = parseBody(WebhookBody, await body(req));
    d.setWebhookUrl(b.url ?? undefined);
    return json(200, { url: b.url ?? null });
  });
}
