import { mayWrite } from '../../core/jobSignal.ts';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { err, ok, type RemoteError, type Result } from '../../core/result.ts';

export interface SmtpOptions {
  host: string;
  port: number;
  /** starttls: must upgrade (refused when the server cannot); tls: implicit TLS; none: plain (loopback tests). */
  security: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
  timeoutMs: number;
  allowSelfSigned?: boolean;
  logger?: Logger;
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
}

export interface OutgoingMail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per message: the same on every attempt, so a resend after an uncertain outcome is recognisable. */
  messageId: string;
  headers?: Record<string, string>;
  attachments?: OutgoingAttachment[];
  /**
   * Envelope sender (MAIL FROM): where delivery reports go. The message's Message-ID is also sent as the ENVID
   * (RFC 3461) when the server offers DSN, so a report names the message even without its headers.
   */
  returnPath?: string;
}

export interface SentMail {
  /** The server's final answer to DATA, e.g. "250 OK: queued as 1A2B". */
  response: string;
  accepted: string[];
}

/** What nodemailer puts on its errors (SMTP reply code and text, and its own error code). */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * Classify an SMTP failure: a 4xx reply is temporary (retried), a 5xx reply is final (dead-lettered with the
 * server's answer), and a failure to talk to the server at all (connection, timeout, TLS) is retried.
 * RFC 5321 §4.2.1: 4yz "transient negative completion", 5yz "permanent negative completion". A 4yz (421 service
 * not available, 450/451 greylisting or a local error, 452 out of storage) is the server's state, not the
 * message's fault: marked unavailable, so a long SMTP outage keeps the job's attempts (outage patience) as an
 * HTTP 503 does, instead of dead-lettering mail after a few tries.
 */
export function classifySmtpFailure(e: SmtpError): RemoteError {
  const answer = e.response ? ` (server said: ${e.response.trim()})` : '';
  const what = `${e.command ? `${e.command}: ` : ''}${e.message.split('\n')[0]}`;
  if (typeof e.responseCode === 'number') {
    const temporary = e.responseCode >= 400 && e.responseCode < 500;
    return {
      code: `smtp_${e.responseCode}`,
      retryable: temporary,
      ...(temporary ? { unavailable: true } : {}),
      status: e.responseCode,
      detail: `${temporary ? 'temporary' : 'permanent'} SMTP failure ${what}${answer}`,
    };
  }
  // EAUTH without a reply code, ETLS (STARTTLS refused): configuration, not luck; but an operator may fix it, so retried.
  return { code: `smtp_${e.code ?? 'error'}`, retryable: true, detail: `cannot deliver to the SMTP server: ${what}` };
}

/** SMTP out through nodemailer: one connection per send (pooled connections hide which message failed). */
export class SmtpMailer {
  private readonly transport: Transporter;

  constructor(private readonly o: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.security === 'tls',
      requireTLS: o.security === 'starttls',
      ignoreTLS: o.security === 'none',
      auth: o.user ? { user: o.user, pass: o.password ?? '' } : undefined,
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      tls: o.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
      logger: false,
    });
  }

  async send(m: OutgoingMail): Promise<Result<SentMail>> {
    // A stopped job, or one whose lease went to another worker, sends no mail (the new holder will).
    const refused = await mayWrite();
    if (refused) return err({ code: 'job_stopped', retryable: true, detail: `mail not sent: ${refused}` });
    try {
      const info = await this.transport.sendMail({
        from: m.from,
        replyTo: m.replyTo,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
        headers: m.headers,
        ...(m.returnPath
          ? {
              envelope: { from: m.returnPath, to: [m.to] },
              dsn: { id: m.messageId, return: 'headers' as const, notify: ['failure' as const], recipient: m.to },
            }
          : {}),
        attachments: m.attachments?.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: a.content,
        })),
      });
      const accepted = (info.accepted ?? []).map(String);
      if (accepted.length === 0) {
        const rejected = (info.rejected ?? []).map(String).join(', ');
        return err({
          code: 'smtp_rejected',
          retryable: false,
          detail: `the SMTP server accepted no recipient (${rejected}): ${String(info.response ?? '')}`,
        });
      }
      return ok({ response: String(info.response ?? ''), accepted });
    } catch (e) {
      return err(classifySmtpFailure(e as SmtpError));
    }
  }

  close(): void {
    this.transport.close();
  }
}
