import type { IncomingMessage } from 'node:http';

/** A route of either sandbox: its handler's shape is the sandbox's own (ClickUp's or Trading Grid's). */
export interface Route<H> {
  method: string;
  /** Path template with `{name}` segments, as in the OpenAPI documents, e.g. `/v2/task/{task_id}`. */
  template: string;
  /** `METHOD template`, e.g. `GET /cases/{id}`: the key of the sandboxes' request counts. */
  name: string;
  parts: string[];
  handler: H;
}

export interface RouteMatch<H> {
  route: Route<H>;
  params: Record<string, string>;
}

/** No route: `methodNotAllowed` when the path matches a route of another method. */
export interface RouteMiss {
  route: undefined;
  methodNotAllowed: boolean;
}

/**
 * The method + path-template router of both sandboxes: no regexes on the hot path (the engine drives
 * thousands of requests a second through the Trading Grid sandbox), routes grouped by method and depth,
 * the first added wins. A segment that is not valid percent-encoding matches no `{name}`.
 */
export class Router<H> {
  private readonly byMethodDepth = new Map<string, Route<H>[]>();
  private readonly byDepth = new Map<number, Route<H>[]>();

  add(method: string, template: string, handler: H): this {
    const parts = template.split('/').filter(Boolean);
    const route: Route<H> = { method, template, name: `${method} ${template}`, parts, handler };
    const key = `${method} ${parts.length}`;
    this.byMethodDepth.set(key, [...(this.byMethodDepth.get(key) ?? []), route]);
    this.byDepth.set(parts.length, [...(this.byDepth.get(parts.length) ?? []), route]);
    return this;
  }

  match(method: string, path: string): RouteMatch<H> | RouteMiss {
    const segs = path.split('/').filter(Boolean);
    for (const route of this.byMethodDepth.get(`${method} ${segs.length}`) ?? []) {
      const params = paramsOf(route.parts, segs);
      if (params) return { route, params };
    }
    const other = (this.byDepth.get(segs.length) ?? []).some((r) => r.method !== method && paramsOf(r.parts, segs));
    return { route: undefined, methodNotAllowed: other };
  }
}

function paramsOf(parts: readonly string[], segs: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const p = parts[i]!;
    const s = segs[i]!;
    if (p.charCodeAt(0) === 123 /* { */) {
      try {
        params[p.slice(1, -1)] = decodeURIComponent(s);
      } catch {
        return undefined;
      }
    } else if (p !== s) return undefined;
  }
  return params;
}

/** The path and the query of a request's URL. */
export function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Read the whole request body, refusing more than `limit` bytes (a 413 for the caller). */
export function readBody(req: IncomingMessage, limit = Infinity): Promise<Buffer> {
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
