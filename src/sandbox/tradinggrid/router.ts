import type { IncomingMessage, ServerResponse } from 'node:http';

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
  /** The route's name, e.g. `GET /cases/:id` (for stats). */
  route: string;
}

export type Handler = (c: Ctx) => Reply | null | Promise<Reply | null>;

interface Route {
  name: string;
  parts: string[];
  handler: Handler;
}

/** Minimal method + path-segment router: no regexes on the hot path, routes grouped by method and depth. */
export class Router {
  private readonly table = new Map<string, Route[]>();

  add(method: string, pattern: string, handler: Handler): this {
    const parts = pattern.split('/').filter(Boolean);
    const key = `${method} ${parts.length}`;
    let list = this.table.get(key);
    if (!list) this.table.set(key, (list = []));
    list.push({ name: `${method} ${pattern}`, parts, handler });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const segs = path.split('/').filter(Boolean);
    const list = this.table.get(`${method} ${segs.length}`);
    if (!list) return undefined;
    outer: for (const route of list) {
      const params: Record<string, string> = {};
      for (let i = 0; i < segs.length; i++) {
        const p = route.parts[i]!;
        const s = segs[i]!;
        if (p.charCodeAt(0) === 58 /* : */) {
          try {
            params[p.slice(1)] = decodeURIComponent(s);
          } catch {
            continue outer;
          }
        } else if (p !== s) continue outer;
      }
      return { route, params };
    }
    return undefined;
  }
}

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

/** Read the whole request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error(`body larger than ${limit} bytes`), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
