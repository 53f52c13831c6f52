import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface KillingProxy {
  url: string;
  /** How many times the trigger fired. */
  fired: () => number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a sandbox. When an answer to a request matching `when` comes
 * back, `onMatch` runs before the answer is passed on: a test kills the bridge there, so the remote
 * effect exists but the bridge never learns of it.
 */
export async function startKillingProxy(
  targetOrigin: string,
  when: (method: string, path: string, status: number) => boolean,
  onMatch: () => void,
  opts: { once?: boolean } = { once: true },
): Promise<KillingProxy> {
  let fired = 0;
  const target = new URL(targetOrigin);
  const server: Server = createServer((req, res) => {
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes: IncomingMessage) => {
        if ((!opts.once || fired === 0) && when(req.method ?? '', req.url ?? '', upRes.statusCode ?? 0)) {
          fired++;
          onMatch();
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    fired: () => fired,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
