import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  parsed: ParsedMail;
}

export interface MailCatcher {
  host: string;
  port: number;
  caught: CaughtMail[];
  close(): Promise<void>;
}

/**
 * The demo's mail server: a real SMTP server (the `smtp-server` package) on 127.0.0.1 that accepts every
 * message and keeps it, parsed, so the demo can show what a partner without an API received.
 */
export async function startMailCatcher(): Promise<MailCatcher> {
  const caught: CaughtMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            caught.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              parsed,
            });
            cb();
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
