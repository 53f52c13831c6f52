import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  parsed: ParsedMail;
  /** The envelope sender (MAIL FROM): where this server sends a delivery report. */
  mailFrom: string | null;
}

export interface MailCatcher {
  host: string;
  port: number;
  caught: CaughtMail[];
  /** Delivery reports this server sent (raw), after failing to deliver to a dead address. */
  reportsSent: string[];
  /** Where delivery reports go (like an MTA's route for the return path's domain); none are sent until set. */
  routeReportsTo(host: string, port: number): void;
  close(): Promise<void>;
}

/** xtext (RFC 3461 §4): "+XX" is the byte XX. */
const unxtext = (s: string) => s.replace(/\+([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/**
 * The delivery report a mail server writes when a message it took cannot be delivered (RFC 3464), laid out
 * as Postfix lays out its bounces: a human part, the message/delivery-status part, the returned headers.
 */
export function deliveryReport(o: {
  reportingMta: string;
  envelopeId: string | null;
  recipient: string;
  originalHeaders: string;
  arrival: Date;
}): string {
  const boundary = `dsn-${Math.random().toString(36).slice(2)}`;
  return [
    `From: MAILER-DAEMON@${o.reportingMta} (Mail Delivery System)`,
    `To: undisclosed-recipients:;`,
    `Subject: Undelivered Mail Returned to Sender`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <dsn.${boundary}@${o.reportingMta}>`,
    `Auto-Submitted: auto-replied`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/report; report-type=delivery-status;`,
    `\tboundary="${boundary}"`,
    ``,
    `This is a MIME-encapsulated message.`,
    ``,
    `--${boundary}`,
    `Content-Description: Notification`,
    `Content-Type: text/plain; charset=us-ascii`,
    ``,
    `This is the mail system at host ${o.reportingMta}.`,
    ``,
    `I'm sorry to have to inform you that your message could not`,
    `be delivered to one or more recipients.`,
    ``,
    `<${o.recipient}>: host mx.partner.example said: 550 5.1.1 <${o.recipient}>: Recipient address rejected: User unknown`,
    ``,
    `--${boundary}`,
    `Content-Description: Delivery report`,
    `Content-Type: message/delivery-status`,
    ``,
    `Reporting-MTA: dns; ${o.reportingMta}`,
    ...(o.envelopeId ? [`Original-Envelope-Id: ${o.envelopeId}`] : []),
    `Arrival-Date: ${o.arrival.toUTCString()}`,
    ``,
    `Final-Recipient: rfc822; ${o.recipient}`,
    `Original-Recipient: rfc822;${o.recipient}`,
    `Action: failed`,
    `Status: 5.1.1`,
    `Remote-MTA: dns; mx.partner.example`,
    `Diagnostic-Code: smtp; 550 5.1.1 <${o.recipient}>: Recipient address rejected:`,
    `    User unknown in virtual mailbox table`,
    ``,
    `--${boundary}`,
    `Content-Description: Undelivered Message Headers`,
    `Content-Type: text/rfc822-headers`,
    ``,
    o.originalHeaders.trimEnd(),
    ``,
    `--${boundary}--`,
    ``,
  ].join('\r\n');
}

/**
 * The demo's mail server: a real SMTP server (the `smtp-server` package) on 127.0.0.1 that accepts every
 * message and keeps it, parsed, so the demo can show what a partner without an API received. Like a real
 * MTA, it takes a message for an address in `deadAddresses` and then reports it undeliverable: a delivery
 * status notification sent with an empty envelope sender to the message's return path (RFC 3464), over
 * SMTP to where `routeReportsTo` points.
 */
export async function startMailCatcher(o: { deadAddresses?: readonly string[] } = {}): Promise<MailCatcher> {
  const caught: CaughtMail[] = [];
  const reportsSent: string[] = [];
  const dead = new Set((o.deadAddresses ?? []).map((a) => a.toLowerCase()));
  let reportRoute: { host: string; port: number } | null = null;
  const sendReport = async (raw: string, to: string) => {
    if (!reportRoute) return;
    const t = nodemailer.createTransport({ host: reportRoute.host, port: reportRoute.port, ignoreTLS: true });
    try {
      // The null reverse path: nothing answers a delivery report (RFC 3464 §2, RFC 5321 §4.5.5).
      await t.sendMail({ envelope: { from: '', to: [to] }, raw });
      reportsSent.push(raw);
    } finally {
      t.close();
    }
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    hideDSN: false,
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        // Read before answering: the session's envelope is reset for the next message once DATA is answered.
        const to = session.envelope.rcptTo.map((r) => r.address);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const envid = (session.envelope as { dsn?: { envid?: string | null } }).dsn?.envid ?? null;
        void simpleParser(raw).then(
          (parsed) => {
            caught.push({ to, subject: parsed.subject ?? '', text: parsed.text ?? '', parsed, mailFrom });
            cb();
            // Accepted now, found undeliverable later: the report goes out after the SMTP answer, as an MTA's does.
            const headerEnd = raw.indexOf('\r\n\r\n');
            const originalHeaders = raw.subarray(0, headerEnd < 0 ? raw.length : headerEnd).toString('utf8');
            for (const r of to.filter((x) => dead.has(x.toLowerCase()))) {
              if (!mailFrom) continue; // a report about a report: dropped, never answered
              const report = deliveryReport({
                reportingMta: 'mail.sandbox.example',
                envelopeId: envid ? unxtext(envid) : null,
                recipient: r,
                originalHeaders,
                arrival: new Date(),
              });
              void sendReport(report, mailFrom).catch(() => undefined);
            }
          },
          (e: Error) => cb(e),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    caught,
    reportsSent,
    routeReportsTo: (host, p) => {
      reportRoute = { host, port: p };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
