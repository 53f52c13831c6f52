import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageKind } from '../../config/partnerChannelSchema.ts';
import { renderTemplate } from './template.ts';

/** The built-in templates (a customer's `partner_channel.templates_dir` wins file by file). */
export const BUILT_IN_TEMPLATES = fileURLToPath(new URL('../../../templates/partner-email/', import.meta.url));

/**
 * The facts each message kind renders, kept with the message when it is queued (the templates are applied
 * when it is sent, so a template fixed by the customer applies to mail still waiting).
 */
export interface MessageFacts {
  case_status: {
    caseRef: string;
    caseTitle: string;
    status: string;
    statusLabel: string;
    received: boolean;
    note: string | null;
  };
  case_comment: { caseRef: string; caseTitle: string; author: string; comment: string };
  case_document: {
    caseRef: string;
    caseTitle: string;
    fileName: string;
    sha256: string;
    contentType: string;
    sizeBytes: number;
  };
  decision: {
    requestRef: string;
    summary: string;
    outcome: string;
    revision: number;
    previous: string | null;
    comments: string | null;
    files?: Array<{ name: string; sha256: string }>;
  };
  /** A comment the sharing rule lets through, written on the approval task after the decision. */
  request_comment: { requestRef: string; summary: string; author: string | null; comment: string };
  scorecard: {
    period: string;
    resolvedCases: number;
    avgResolutionHours: number | string;
    openCases: number;
    overdueTasks: number;
    slaMetPct: number | string;
    csv: string;
  };
  notice: { rolloutId: string; title: string; body: string; effectiveAt: string };
  notice_reminder: { rolloutId: string; title: string; body: string; effectiveAt: string };
}

/** What every message knows besides its facts. */
export interface Envelope {
  partnerName: string;
  recipientName: string;
  recipient: string;
  language: string | null;
  senderName: string;
  link: string;
  linkExpires: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const STATUS_LABELS: Record<string, string> = {
  received: 'received',
  in_review: 'in review',
  awaiting_documents: 'awaiting documents from you',
  resolved: 'resolved',
  escalated: 'escalated',
};

export class TemplateSet {
  private readonly cache = new Map<string, string>();
  constructor(private readonly customDir: string | undefined) {}

  /** `<name>.<lang>.<ext>` then `<name>.<ext>`, in the customer's folder first, then the built-in one. */
  read(name: string, ext: 'txt' | 'html' | 'subject.txt', language: string | null): string {
    const cacheKey = `${name}|${ext}|${language ?? ''}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const files = [...(language ? [`${name}.${language}.${ext}`] : []), `${name}.${ext}`];
    for (const dir of [this.customDir, BUILT_IN_TEMPLATES]) {
      if (!dir) continue;
      for (const f of files) {
        const path = join(dir, f);
        if (existsSync(path)) {
          const text = readFileSync(path, 'utf8');
          this.cache.set(cacheKey, text);
          return text;
        }
      }
    }
    throw new Error(
      `no e-mail template ${name}.${ext} in ${[this.customDir, BUILT_IN_TEMPLATES].filter(Boolean).join(' or ')}`,
    );
  }

  /** Body only (no layout): used inside a digest. */
  renderBody(kind: MessageKind | 'digest', data: Record<string, unknown>, language: string | null): RenderedMail {
    const subject = renderTemplate(this.read(kind, 'subject.txt', language), data, {
      html: false,
      name: `${kind}.subject.txt`,
    }).trim();
    const scope = { ...data, subject };
    const text = renderTemplate(this.read(kind, 'txt', language), scope, { html: false, name: `${kind}.txt` });
    const html = renderTemplate(this.read(kind, 'html', language), scope, { html: true, name: `${kind}.html` });
    return { subject, text, html };
  }

  render(kind: MessageKind | 'digest', data: Record<string, unknown>, language: string | null): RenderedMail {
    const body = this.renderBody(kind, data, language);
    const scope = { ...data, subject: body.subject, language: language ?? 'en' };
    return {
      subject: body.subject,
      text: renderTemplate(
        this.read('layout', 'txt', language),
        { ...scope, body: body.text.trimEnd() },
        { html: false, name: 'layout.txt' },
      ),
      html: renderTemplate(
        this.read('layout', 'html', language),
        { ...scope, body: body.html },
        { html: true, name: 'layout.html' },
      ),
    };
  }
}

/** Which page a message links to. */
export function linkTarget(
  kind: MessageKind,
  partnerId: string,
  entityId: string,
  facts: Record<string, unknown>,
): { entity: string; entityId: string } {
  if (kind === 'decision' || kind === 'request_comment') return { entity: 'approval', entityId };
  if (kind === 'scorecard') return { entity: 'scorecard', entityId: `${partnerId}:${String(facts['period'])}` };
  if (kind === 'notice' || kind === 'notice_reminder') return { entity: 'rollout', entityId };
  return { entity: 'case', entityId };
}
