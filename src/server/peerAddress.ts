import type { Context } from 'hono';

/**
 * With `server.intake_thread` the public port is served by the intake thread, which forwards every
 * request that is not a webhook to this thread over loopback: the socket's address is then 127.0.0.1.
 * The intake thread names the real peer in PEER_HEADER, with a random per-bridge token in
 * PEER_TOKEN_HEADER; the header is believed only with a token registered here, so a client cannot
 * choose its own address (the sign-in limits count per address).
 */
export const PEER_HEADER = 'x-gridbridge-peer';
export const PEER_TOKEN_HEADER = 'x-gridbridge-peer-token';

const trusted = new Set<string>();

/** Believe PEER_HEADER on requests carrying `token` (until the returned function is called). */
export function trustPeerToken(token: string): () => void {
  trusted.add(token);
  return () => {
    trusted.delete(token);
  };
}

/** The address of the client that made the request: the socket's, or the intake thread's word for it. */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const socket = incoming?.socket?.remoteAddress ?? 'unknown';
  const token = c.req.header(PEER_TOKEN_HEADER);
  if (token && trusted.has(token)) return c.req.header(PEER_HEADER) ?? socket;
  return socket;
}
