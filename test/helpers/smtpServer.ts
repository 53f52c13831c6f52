import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** How many DATA commands were answered (accepted or not). */
  attempts: number;
  /** Next answers to DATA: a number is an SMTP reply code to refuse with; 'accept' takes the message. */
  script: Array<number | 'accept'>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1, port 0: it parses what it accepts with
 * `mailparser`, and can answer DATA with scripted refusals (4xx then accept, or 5xx for good).
 */
export async function startTestSmtp(o: { user?: string; password?: string; always?: number } = {}): Promise<TestSmtp> {
  const state: TestSmtp = { port: 0, received: [], attempts: 0, script: [], close: async () => undefined };
  const opts: SMTPServerOptions = {
    disabledCommands: ['STARTTLS'],
    authOptional: !o.user,
    ...(o.user ? { authMethods: ['PLAIN', 'LOGIN'] } : {}),
    onAuth(auth, _session, cb) {
      if (auth.username === o.user && auth.password === o.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.attempts++;
        const next = o.always ?? state.script.shift() ?? 'accept';
        if (next !== 'accept') {
          const msg =
            next >= 500
              ? 'Requested action not taken: mailbox unavailable (5.1.1 user unknown)'
              : 'Requested mail action aborted: try again later (4.3.0)';
          cb(Object.assign(new Error(msg), { responseCode: next }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed) => {
          state.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
          cb(null, `OK queued as T${state.received.length}`);
        });
      });
    },
    logger: false,
  };
  const server = new SMTPServer(opts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
