import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface LoadBalancer {
  url: string;
  /** Replace the upstream origins (an instance restarted on a new port). */
  setUpstreams(origins: string[]): void;
  stats(): { forwarded: number; refusedAndRetried: number; failed: number; byStatus: Record<string, number> };
  close(): Promise<void>;
}

/**
 * A round-robin HTTP load balancer on loopback, in front of several bridge instances, as production
 * would have one. Like nginx's default, it tries the next upstream only when the connection is
 * refused; a request that reached an instance which then died answers 502, and the sender retries.
 */
export async function startLoadBalancer(origins: string[] = []): Promise<LoadBalancer> {
  let upstreams = [...origins];
  let next = 0;
  const counts = { forwarded: 0, refusedAndRetried: 0, failed: 0 };
  /** Upstream answers by path, status and time since the request reached us (`POST /webhooks/clickup 200 <1s`). */
  const byStatus: Record<string, number> = {};

  const forward = (origin: string, req: IncomingMessage, body: Buffer): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const u = new URL(origin);
      const up = request(
        {
          host: u.hostname,
          port: u.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, connection: 'close' },
        },
        resolve,
      );
      up.on('error', reject);
      up.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const received = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const tries = Math.max(1, upstreams.length);
    for (let i = 0; i < tries; i++) {
      const origin = upstreams[next++ % Math.max(1, upstreams.length)];
      if (!origin) break;
      try {
        const upRes = await forward(origin, req, body);
        counts.forwarded++;
        const s = (performance.now() - received) / 1000;
        const k = `${req.method} ${req.url} ${upRes.statusCode} ${s < 1 ? '<1s' : s < 7 ? '1-7s' : '>7s'}`;
        byStatus[k] = (byStatus[k] ?? 0) + 1;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
          counts.refusedAndRetried++;
          continue;
        }
        break;
      }
    }
    counts.failed++;
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('no upstream answered');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstreams: (o) => {
      upstreams = [...o];
    },
    stats: () => ({ ...counts, byStatus: { ...byStatus } }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
