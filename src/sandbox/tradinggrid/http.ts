import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from '../shared/router.ts';

/** What a handler answers: a JSON reply, or `null` when it wrote the response itself (streams). */
export interface Reply {
  status: number;
  /** Already serialised JSON (stored that way for idempotent replays). */
  body: string;
  headers?: Record<string, string>;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The route's name, e.g. `GET /cases/{id}` (for stats). */
  route: string;
}

export type Handler = (c: Ctx) => Reply | null | Promise<Reply | null>;

/** The shared router with the Trading Grid sandbox's handlers. */
export type TradingGridRouter = Router<Handler>;

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), ...(headers ? { headers } : {}) };
}

export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return json(status, { error: { code, message } }, headers);
}

export function sendReply(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(r.body),
    ...r.headers,
  });
  res.end(r.body);
}
