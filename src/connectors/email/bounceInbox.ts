import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';

export interface BounceInbox {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The SMTP listener that delivery reports about partner e-mail are routed to: it takes mail for the return
 * path only (anything else is refused at RCPT: not a relay), hands each message to `take`, and answers 250
 * once it is recorded, 451 when recording failed (the MTA tries again later). It never sends mail itself, so
 * a report about a report cannot loop.
 */
export async function startBounceInbox(o: {
  host: string;
  port: number;
  returnPath: string;
  maxBytes: number;
  take: (raw: Buffer) => Promise<unknown>;
  logger?: Logger;
}): Promise<BounceInbox> {
  const mine = o.returnPath.toLowerCase();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: o.maxBytes,
    logger: false,
    banner: 'gridbridge delivery reports',
    onRcptTo(address, _session, cb) {
      if (address.address.toLowerCase() === mine) cb();
      else
        cb(
          Object.assign(new Error('5.1.1 only delivery reports for partner e-mail are taken here'), {
            responseCode: 550,
          }),
        );
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          cb(Object.assign(new Error('5.3.4 report too large'), { responseCode: 552 }));
          return;
        }
        o.take(Buffer.concat(chunks)).then(
          () => cb(),
          (e: unknown) => {
            o.logger?.error({ err: e }, 'a delivery report could not be recorded; the sender will try again');
            cb(Object.assign(new Error('4.3.0 could not record the report, try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return { host: o.host, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
