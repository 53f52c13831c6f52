import type { IncomingMessage } from 'node:http';

export interface SandboxRequest {
  method: string;
  /** Route template, e.g. `/v2/task/{task_id}`: used for stats. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Parsed JSON body (undefined when empty or not JSON). */
  json: unknown;
}

export interface SandboxResponse {
  status: number;
  body?: unknown;
  /** Raw bytes instead of JSON. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

interface Route {
  method: string;
  template: string;
  parts: string[];
  handler: Handler;
}

/** A tiny method + path-template router (`{name}` segments); lookup by segment count, then linear. */
export class Router {
  private readonly bySize = new Map<number, Route[]>();

  add(method: string, template: string, handler: Handler): this {
    const parts = template.split('/').filter(Boolean);
    const list = this.bySize.get(parts.length) ?? [];
    list.push({ method, template, parts, handler });
    this.bySize.set(parts.length, list);
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { methodNotAllowed: boolean } {
    const segs = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const r of this.bySize.get(segs.length) ?? []) {
      const params: Record<string, string> = {};
      let okay = true;
      for (let i = 0; i < segs.length; i++) {
        const p = r.parts[i]!;
        if (p.charCodeAt(0) === 123 /* { */) params[p.slice(1, -1)] = decodeURIComponent(segs[i]!);
        else if (p !== segs[i]) {
          okay = false;
          break;
        }
      }
      if (!okay) continue;
      if (r.method === method) return { route: r, params };
      pathMatched = true;
    }
    return { methodNotAllowed: pathMatched };
  }
}
