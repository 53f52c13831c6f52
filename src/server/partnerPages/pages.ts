import { createHash, randomBytes } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { Store } from '../../store/db.ts';
import type { PartnerChannelRuntime } from '../../channels/partner-email/runtime.ts';
import type { ApprovalRecord } from '../../flows/06-approvals/decisions/approvals.ts';
import type { RolloutRecord } from '../../flows/08-rollouts/decisions/rollout.ts';
import { verifyPageToken, type PageClaims } from '../../channels/partner-email/pageToken.ts';
import { STATUS_LABELS } from '../../channels/partner-email/messages.ts';
import { channelsFor } from '../../channels/partner-email/channels.ts';
import { REQUEST_KINDS } from '../../connectors/tradinggrid/events.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getFlowRecord } from '../../store/ops/flowRecords.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { getPartnerFile, savePartnerFile } from '../../store/ops/partnerFiles.ts';
import { findPartnerAction, listPartnerActions, recordPartnerAction } from '../../store/ops/partnerActions.ts';
import { listPartnerMessages } from '../../store/ops/partnerMessages.ts';
import { getPartnerToken, markPartnerTokenUsed } from '../../store/ops/partnerTokens.ts';
import { SharedMinuteLimiter } from './rateLimit.ts';
import { esc, FAVICON_SVG, pageHtml, PARTNER_CSS, refusedHtml } from './render.ts';
import { clientAddress } from '../peerAddress.ts';

/**
 * Virus-scan hook point: every partner upload passes through it before anything is stored. Without one
 * configured the file is stored as the admin console's uploads are (type and size checked only); plug a
 * scanner (clamd, a cloud scanner) in here with `startBridge({ partnerUploadScan })`.
 */
export type VirusScanHook = (file: {
  name: string;
  contentType: string;
  data: Buffer;
  partnerId: string;
  caseId: string;
}) => Promise<{ clean: true } | { clean: false; reason: string }>;

export interface PartnerPagesDeps {
  store: Store;
  config: GridbridgeConfig;
  runtime: PartnerChannelRuntime;
  now: () => number;
  wake: () => void;
  logger: Logger;
  scan?: VirusScanHook;
}

/** Stricter than the console's: no script at all, forms post to this origin only, nothing framed or referred. */
export const PARTNER_PAGES_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function pageHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', PARTNER_PAGES_CSP);
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}

const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const baseKey = (key: string) => key.slice(0, key.lastIndexOf(':'));

interface Granted {
  claims: PageClaims;
  token: string;
  address: string;
}

/** The partner pages under /p: own routes, own CSP, token-only (no cookie is read), rate-limited, audited. */
export function mountPartnerPages(app: Hono, d: PartnerPagesDeps): void {
  const db = d.store.db;
  const rate = d.runtime.section.pages.rate_limit_per_minute;
  const byToken = new SharedMinuteLimiter(db, rate, 'link');
  const byAddress = new SharedMinuteLimiter(db, rate * 2, 'address');
  const partnerName = (id: string) => d.config.partners.map[id]?.name ?? id;
  /** A partner can make a request on its pages when flow 6 runs and its decisions travel by e-mail. */
  const requestsOpen = (partnerId: string) =>
    Boolean(d.config.flows?.approvals) && channelsFor(d.runtime.section, partnerId, 'decisions').has('email');
  const audit = (entity: string, entityId: string, actor: string, action: string, after: unknown) =>
    appendAudit(db, { actor, entity, entityId, action, after }, d.now());

  const refuse = async (
    c: Context,
    status: 400 | 403 | 404 | 410 | 413 | 415 | 429,
    message: string,
    detail: Record<string, unknown>,
  ) => {
    await audit('partner_page', 'refused', 'anonymous', 'partner_page_refused', {
      status,
      message,
      path: c.req.path.replace(/\/p\/[^/]+/, '/p/…'),
      ...detail,
    });
    return c.html(refusedHtml(status, message), status);
  };

  /** Every request: address limit, signature and expiry, the token's row (revoked, same partner and item), link limit. */
  const grant = async (c: Context): Promise<Granted | Response> => {
    const address = clientAddress(c);
    const now = d.now();
    const addrWait = await byAddress.take(address, now);
    if (addrWait > 0) {
      c.header('Retry-After', String(Math.ceil(addrWait / 1000)));
      return refuse(c, 429, 'Too many requests from your address; try again in a minute.', {
        address,
        limit: 'address',
      });
    }
    const token = c.req.param('token') ?? '';
    if (!d.runtime.pageKey) return refuse(c, 404, 'Partner pages are not enabled.', { address });
    const v = verifyPageToken(d.runtime.pageKey, token, now);
    if (!v.ok) {
      const status = v.reason === 'expired' ? 410 : 403;
      return refuse(c, status, v.reason === 'expired' ? 'This link has expired.' : 'This link is not valid.', {
        address,
        reason: v.reason,
      });
    }
    const tokWait = await byToken.take(v.claims.jti, now);
    if (tokWait > 0) {
      c.header('Retry-After', String(Math.ceil(tokWait / 1000)));
      return refuse(c, 429, 'This link was used too often in the last minute; try again shortly.', {
        address,
        jti: v.claims.jti,
        limit: 'link',
      });
    }
    const row = await getPartnerToken(db, v.claims.jti);
    if (!row) return refuse(c, 403, 'This link is not valid.', { address, jti: v.claims.jti, reason: 'unknown_token' });
    if (row.revoked_at)
      return refuse(c, 403, 'This link was withdrawn.', { address, jti: v.claims.jti, reason: 'revoked' });
    if (
      row.partner_id !== v.claims.partnerId ||
      row.entity !== v.claims.entity ||
      row.entity_id !== v.claims.entityId
    ) {
      return refuse(c, 403, 'This link is not valid.', {
        address,
        jti: v.claims.jti,
        reason: 'claims_differ_from_issued',
      });
    }
    await markPartnerTokenUsed(db, v.claims.jti, now);
    return { claims: v.claims, token, address };
  };

  /** The item must still be this partner's (a case moved to another partner is not shown through an old link). */
  const ownsItem = async (g: Granted): Promise<boolean> => {
    const { entity, entityId, partnerId } = g.claims;
    if (entity === 'case') return (await getCase(db, entityId))?.partnerId === partnerId;
    if (entity === 'approval')
      return (await getFlowRecord<ApprovalRecord>(db, 'approval', entityId))?.data.partnerId === partnerId;
    if (entity === 'rollout') {
      const r = await getFlowRecord<RolloutRecord>(db, 'rollout', entityId);
      return !!r && r.data.recipients.includes(partnerId);
    }
    if (entity === 'scorecard') return entityId.startsWith(`${partnerId}:`);
    return false;
  };

  const sentMessages = (entity: string, entityId: string) =>
    listPartnerMessages(db, entity, entityId, ['sent', 'digested']);

  const nonce = () => randomBytes(12).toString('base64url');
  const actionId = (jti: string, action: string, n: string) =>
    createHash('sha256').update(`${jti}|${action}|${n}`).digest('base64url').slice(0, 32);

  async function caseBody(g: Granted, _notice: string | null): Promise<{ title: string; body: string }> {
    const rec = (await getCase(db, g.claims.entityId))!;
    const seen = new Set<string>();
    const history: Array<{ at: number; html: string }> = [];
    for (const m of await sentMessages('case', rec.id)) {
      if (m.partner_id !== g.claims.partnerId || seen.has(baseKey(m.key))) continue;
      seen.add(baseKey(m.key));
      const f = JSON.parse(m.data) as Record<string, string | null>;
      const at = Number(m.sent_at ?? m.created_at);
      if (m.kind === 'case_status')
        history.push({
          at,
          html: `Status: <strong>${esc(f['statusLabel'])}</strong>${f['note'] ? `<div class="pre">${esc(f['note'])}</div>` : ''}`,
        });
      else if (m.kind === 'case_comment')
        history.push({ at, html: `${esc(f['author'])} wrote:<div class="pre">${esc(f['comment'])}</div>` });
      else if (m.kind === 'case_document')
        history.push({
          at,
          html: `We shared <a href="/p/${esc(g.token)}/files/${esc(f['sha256'])}">${esc(f['fileName'])}</a>`,
        });
    }
    const actions = await listPartnerActions(db, 'case', rec.id, g.claims.partnerId);
    for (const a of actions) {
      const data = JSON.parse(a.data) as Record<string, string>;
      if (a.action === 'comment')
        history.push({ at: Number(a.at), html: `You wrote:<div class="pre">${esc(data['body'])}</div>` });
      if (a.action === 'upload')
        history.push({
          at: Number(a.at),
          html: `You uploaded <a href="/p/${esc(g.token)}/files/${esc(data['sha256'])}">${esc(data['name'])}</a>`,
        });
    }
    history.sort((a, b) => a.at - b.at);
    const n = nonce();
    const types = d.config.documents.content_types;
    return {
      title: `Case ${rec.id}: ${rec.title}`,
      body: `<p>Status: <span class="status" id="status">${esc(STATUS_LABELS[rec.partnerStatus] ?? rec.partnerStatus)}</span></p>
<h2>History</h2>
<ol class="history" id="history">${history.map((h) => `<li><span class="when">${fmt(h.at)}</span>${h.html}</li>`).join('') || '<li>Nothing yet.</li>'}</ol>
<h2>Add a comment</h2>
<form method="post" action="/p/${esc(g.token)}/comment" id="comment-form"><input type="hidden" name="nonce" value="${n}">
<textarea name="body" id="comment" maxlength="10000" required></textarea><p><button type="submit" id="send-comment">Send comment</button></p></form>
<h2>Upload a document</h2>
<form method="post" action="/p/${esc(g.token)}/upload" enctype="multipart/form-data" id="upload-form"><input type="hidden" name="nonce" value="${n}">
<input type="file" name="file" id="file" required${types.length ? ` accept="${esc(types.join(','))}"` : ''}> <button type="submit" id="send-file">Upload</button>
<p class="when">Up to ${Math.floor(d.config.documents.max_bytes / 1024 / 1024)} MB.</p></form>`,
    };
  }

  async function approvalBody(g: Granted): Promise<{ title: string; body: string }> {
    const rec = (await getFlowRecord<ApprovalRecord>(db, 'approval', g.claims.entityId))!;
    const sent = (await sentMessages('approval', rec.id)).filter((m) => m.partner_id === g.claims.partnerId);
    const decisions = sent.filter((m) => m.kind === 'decision');
    const last = decisions.at(-1);
    const f = last ? (JSON.parse(last.data) as Record<string, string | number | null>) : null;
    const seen = new Set<string>();
    const later = sent
      .filter((m) => m.kind === 'request_comment' && !seen.has(baseKey(m.key)) && seen.add(baseKey(m.key)))
      .map((m) => {
        const x = JSON.parse(m.data) as Record<string, string | null>;
        return `<li><span class="when">${fmt(Number(m.sent_at ?? m.created_at))}</span>${x['author'] ? `${esc(x['author'])} wrote:` : ''}<div class="pre">${esc(x['comment'])}</div></li>`;
      });
    return {
      title: `Your request ${rec.id}`,
      body: `<p>${esc(f?.['summary'] ?? rec.data.summary ?? rec.data.kind.replace(/_/g, ' '))}</p>${later.length ? `<h2>Later comments</h2><ol class="history" id="request-comments">${later.join('')}</ol>` : ''}
${f ? `<p>Decision: <span class="status" id="decision">${esc(f['outcome'])}</span>${Number(f['revision']) > 0 ? ` (revised; earlier: ${esc(f['previous'])})` : ''}</p>${f['comments'] ? `<h2>Comments</h2><div class="pre" id="decision-comments">${esc(f['comments'])}</div>` : ''}` : '<p id="decision">No decision yet.</p>'}`,
    };
  }

  async function rolloutBody(g: Granted): Promise<{ title: string; body: string }> {
    const rec = (await getFlowRecord<RolloutRecord>(db, 'rollout', g.claims.entityId))!;
    const pending = await findPartnerAction(db, 'rollout', rec.id, g.claims.partnerId, 'acknowledge');
    const ackAt = rec.data.acks[g.claims.partnerId] ?? (pending ? new Date(Number(pending.at)).toISOString() : null);
    return {
      title: rec.data.title,
      body: `<div class="pre" id="notice-body">${esc(rec.data.body)}</div>
${ackAt ? `<p class="flash" id="acknowledged">Acknowledged on ${esc(fmt(Date.parse(ackAt)))}.</p>` : `<form method="post" action="/p/${esc(g.token)}/ack" id="ack-form"><input type="hidden" name="nonce" value="${nonce()}"><button type="submit" id="acknowledge">Acknowledge</button></form>`}`,
    };
  }

  async function scorecardBody(g: Granted): Promise<{ title: string; body: string }> {
    const m = (await sentMessages('scorecard', g.claims.entityId))
      .filter((x) => x.kind === 'scorecard' && x.partner_id === g.claims.partnerId)
      .at(-1);
    const f = m ? (JSON.parse(m.data) as Record<string, unknown>) : null;
    const period = g.claims.entityId.slice(g.claims.partnerId.length + 1);
    const rows: Array<[string, unknown]> = f
      ? [
          ['Resolved cases', f['resolvedCases']],
          ['Average resolution hours', f['avgResolutionHours']],
          ['Open cases', f['openCases']],
          ['Overdue tasks', f['overdueTasks']],
          ['SLA met (%)', f['slaMetPct']],
        ]
      : [];
    return {
      title: `Scorecard ${period}`,
      body: f
        ? `<table id="scorecard">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`
        : '<p>No scorecard was sent for this period.</p>',
    };
  }

  const DONE: Record<string, string> = {
    comment: 'Thank you: your comment was received.',
    upload: 'Thank you: your document was received.',
    ack: 'Thank you: your acknowledgement was recorded.',
  };

  app.use('/p/*', pageHeaders());
  app.use('/p-assets/*', pageHeaders());
  app.get('/p-assets/partner.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(PARTNER_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  app.get('/p-assets/favicon.svg', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml' });
  });

  app.get('/p/:token', async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (!(await ownsItem(g)))
      return refuse(c, 404, 'This item is no longer available to you.', { jti: g.claims.jti, address: g.address });
    const ref = /^PR-[0-9A-F]{10}$/.exec(c.req.query('ref') ?? '')?.[0];
    const done =
      c.req.query('done') === 'request' && ref
        ? `Thank you: your request ${ref} was received. We will e-mail you the decision.`
        : (DONE[c.req.query('done') ?? ''] ?? null);
    const e = g.claims.entity;
    const page =
      e === 'case'
        ? await caseBody(g, done)
        : e === 'approval'
          ? await approvalBody(g)
          : e === 'rollout'
            ? await rolloutBody(g)
            : await scorecardBody(g);
    await audit(e, g.claims.entityId, `partner:${g.claims.partnerId}`, 'partner_page_viewed', {
      jti: g.claims.jti,
      address: g.address,
    });
    const more = requestsOpen(g.claims.partnerId)
      ? `<p><a href="/p/${esc(g.token)}/request" id="new-request">Make a new request</a></p>`
      : '';
    return c.html(
      pageHtml({
        title: page.title,
        partnerName: partnerName(g.claims.partnerId),
        body: page.body + more,
        notice: done,
      }),
    );
  });

  app.get('/p/:token/files/:sha', async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (g.claims.entity !== 'case' || !(await ownsItem(g)))
      return refuse(c, 404, 'No such file.', { jti: g.claims.jti });
    const f = await getPartnerFile(db, g.claims.entityId, c.req.param('sha'));
    if (!f) return refuse(c, 404, 'No such file.', { jti: g.claims.jti });
    await audit('case', g.claims.entityId, `partner:${g.claims.partnerId}`, 'partner_file_downloaded', {
      jti: g.claims.jti,
      address: g.address,
      sha256: f.sha256,
      name: f.name,
    });
    return c.body(new Uint8Array(Buffer.from(f.content)), 200, {
      'Content-Type': f.content_type,
      'Content-Disposition': `attachment; filename="${f.name.replace(/["\\\r\n]/g, '_')}"`,
    });
  });

  /** Store the partner's action first (the inbox), its follow-up job in the same transaction, then answer. */
  const store = async (
    g: Granted,
    action: string,
    n: string,
    data: Record<string, unknown>,
    file?: { sha256: string; name: string; contentType: string; content: Buffer },
    target?: (id: string) => { entity: string; entityId: string },
  ) => {
    const id = actionId(g.claims.jti, action, n);
    const { entity, entityId } = target?.(id) ?? { entity: g.claims.entity, entityId: g.claims.entityId };
    const now = d.now();
    const added = await db.transaction().execute(async (trx) => {
      if (file) {
        await savePartnerFile(trx, { caseId: g.claims.entityId, ...file }, now);
      }
      const fresh = await recordPartnerAction(trx, {
        id,
        jti: g.claims.jti,
        partner_id: g.claims.partnerId,
        entity,
        entity_id: entityId,
        action,
        data: JSON.stringify(data),
        at: now,
      });
      if (!fresh) return false;
      await enqueueJobs(
        trx,
        [newJob('partner.action', { id }, { key: `partner.action:${id}`, queueKey: `${entity}:${entityId}` })],
        now,
        d.config.dispatcher.max_attempts,
      );
      await appendAudit(
        trx,
        {
          actor: `partner:${g.claims.partnerId}`,
          entity,
          entityId,
          action: `partner_page_${action}`,
          after: {
            jti: g.claims.jti,
            address: g.address,
            action: id,
            ...(entity !== g.claims.entity || entityId !== g.claims.entityId
              ? { from: `${g.claims.entity}:${g.claims.entityId}` }
              : {}),
            ...(file ? { name: file.name, sha256: file.sha256, sizeBytes: file.content.length } : {}),
          },
        },
        now,
      );
      return true;
    });
    if (added) d.wake();
    return { id, entity, entityId };
  };

  const formLimit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.html(refusedHtml(413, 'That is too long.'), 413),
  });

  app.post('/p/:token/comment', formLimit, async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (g.claims.entity !== 'case' || !(await ownsItem(g)))
      return refuse(c, 403, 'Comments cannot be added here.', { jti: g.claims.jti });
    const form = await c.req.parseBody();
    const body = String(form['body'] ?? '')
      .trim()
      .slice(0, 10_000);
    if (!body) return refuse(c, 400, 'The comment is empty.', { jti: g.claims.jti });
    const tokenRow = await getPartnerToken(db, g.claims.jti);
    await store(g, 'comment', String(form['nonce'] ?? nonce()), { body, contact: tokenRow?.recipient ?? null });
    return c.redirect(`/p/${g.token}?done=comment`, 303);
  });

  app.post(
    '/p/:token/upload',
    bodyLimit({
      maxSize: d.config.documents.max_bytes + 64 * 1024,
      onError: (c) =>
        c.html(
          refusedHtml(413, `The file is larger than ${Math.floor(d.config.documents.max_bytes / 1024 / 1024)} MB.`),
          413,
        ),
    }),
    async (c) => {
      const g = await grant(c);
      if (g instanceof Response) return g;
      if (g.claims.entity !== 'case' || !(await ownsItem(g)))
        return refuse(c, 403, 'Documents cannot be uploaded here.', { jti: g.claims.jti });
      const form = await c.req.parseBody();
      const file = form['file'];
      if (!file || typeof file === 'string') return refuse(c, 400, 'Choose a file to upload.', { jti: g.claims.jti });
      const data = Buffer.from(await file.arrayBuffer());
      const contentType = (file.type || 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
      const name = (file.name || 'document').replace(/[\\/\r\n\0]/g, '_').slice(0, 200);
      if (data.length === 0) return refuse(c, 400, 'The file is empty.', { jti: g.claims.jti });
      if (data.length > d.config.documents.max_bytes)
        return refuse(c, 413, `The file is larger than ${Math.floor(d.config.documents.max_bytes / 1024 / 1024)} MB.`, {
          jti: g.claims.jti,
          sizeBytes: data.length,
        });
      const allowed = d.config.documents.content_types;
      if (allowed.length > 0 && !allowed.includes(contentType))
        return refuse(c, 415, `Files of type ${contentType} are not accepted.`, { jti: g.claims.jti, contentType });
      if (d.scan) {
        const s = await d.scan({ name, contentType, data, partnerId: g.claims.partnerId, caseId: g.claims.entityId });
        if (!s.clean)
          return refuse(c, 400, 'The file was refused by the virus scan.', {
            jti: g.claims.jti,
            name,
            reason: s.reason,
          });
      }
      const sha256 = createHash('sha256').update(data).digest('hex');
      await store(
        g,
        'upload',
        String(form['nonce'] ?? nonce()),
        { sha256, name, contentType, sizeBytes: data.length },
        { sha256, name, contentType, content: data },
      );
      return c.redirect(`/p/${g.token}?done=upload`, 303);
    },
  );

  app.post('/p/:token/ack', formLimit, async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (g.claims.entity !== 'rollout' || !(await ownsItem(g)))
      return refuse(c, 403, 'There is nothing to acknowledge here.', { jti: g.claims.jti });
    // One acknowledgement per partner and notice, however often the button is pressed.
    await store(g, 'acknowledge', 'once', {});
    return c.redirect(`/p/${g.token}?done=ack`, 303);
  });

  /**
   * Flow 6 without the community API: any link of a partner whose decisions travel by e-mail opens a
   * "new request" form; the request is stored as a partner action (entity `approval`, a request id derived
   * from the action, so a double submit is one request) and taken in by its job like a community request.
   */
  app.get('/p/:token/request', async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (!requestsOpen(g.claims.partnerId) || !(await ownsItem(g)))
      return refuse(c, 404, 'Requests cannot be made here.', { jti: g.claims.jti });
    await audit('partner', g.claims.partnerId, `partner:${g.claims.partnerId}`, 'partner_page_viewed', {
      jti: g.claims.jti,
      address: g.address,
      page: 'new_request',
    });
    const kinds = REQUEST_KINDS.map((k) => `<option value="${k}">${esc(k.replace(/_/g, ' '))}</option>`).join('');
    return c.html(
      pageHtml({
        title: 'New request',
        partnerName: partnerName(g.claims.partnerId),
        body: `<form method="post" action="/p/${esc(g.token)}/request" id="request-form"><input type="hidden" name="nonce" value="${nonce()}">
<p><label>Kind <select name="kind" id="request-kind">${kinds}</select></label></p>
<p><label>Summary <input type="text" name="summary" id="request-summary" maxlength="200" required></label></p>
<p><label>Details<br><textarea name="details" id="request-details" maxlength="10000"></textarea></label></p>
<p><label>Value <input type="number" name="amount" id="request-amount" min="0" step="0.01"></label> <label>Currency <input type="text" name="currency" id="request-currency" value="USD" maxlength="3" pattern="[A-Za-z]{3}"></label></p>
<p><button type="submit" id="send-request">Send request</button></p></form>
<p class="when">We e-mail you the decision with a link to follow it.</p>`,
      }),
    );
  });

  app.post('/p/:token/request', formLimit, async (c) => {
    const g = await grant(c);
    if (g instanceof Response) return g;
    if (!requestsOpen(g.claims.partnerId) || !(await ownsItem(g)))
      return refuse(c, 403, 'Requests cannot be made here.', { jti: g.claims.jti });
    const form = await c.req.parseBody();
    const kind = String(form['kind'] ?? '');
    const summary = String(form['summary'] ?? '')
      .trim()
      .slice(0, 200);
    const details = String(form['details'] ?? '')
      .trim()
      .slice(0, 10_000);
    const amountText = String(form['amount'] ?? '').trim();
    const currency =
      String(form['currency'] ?? 'USD')
        .trim()
        .toUpperCase() || 'USD';
    if (!(REQUEST_KINDS as readonly string[]).includes(kind))
      return refuse(c, 400, 'Choose the kind of request.', { jti: g.claims.jti, kind: kind.slice(0, 40) });
    if (!summary) return refuse(c, 400, 'The summary is empty.', { jti: g.claims.jti });
    const amount = amountText ? Number(amountText) : null;
    if (amount !== null && !(Number.isFinite(amount) && amount >= 0))
      return refuse(c, 400, 'The value is not a number.', { jti: g.claims.jti });
    if (!/^[A-Z]{3}$/.test(currency))
      return refuse(c, 400, 'The currency is three letters (USD, EUR, …).', { jti: g.claims.jti });
    const tokenRow = await getPartnerToken(db, g.claims.jti);
    const stored = await store(
      g,
      'request',
      String(form['nonce'] ?? nonce()),
      {
        kind,
        summary,
        details,
        value: amount === null ? null : { amount, currency },
        contact: tokenRow?.recipient ?? null,
      },
      undefined,
      (id) => ({ entity: 'approval', entityId: pageRequestId(id) }),
    );
    return c.redirect(`/p/${g.token}?done=request&ref=${encodeURIComponent(stored.entityId)}`, 303);
  });
}

/** The request id of a partner-page request: derived from its action id (stable on a double submit). */
export function pageRequestId(actionId: string): string {
  return `PR-${createHash('sha256').update(actionId).digest('hex').slice(0, 10).toUpperCase()}`;
}
