import { Pool, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { classifyHttpFailure } from './decideRetry.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { currentJobSignal, jobStopped, mayWrite } from '../../core/jobSignal.ts';

/** Methods that change nothing remote: sent without the lease check of a write. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HttpRequest {
  method: Dispatcher.HttpMethod;
  /** Path with leading slash, appended to the base URL's path. */
  path: string;
  query?: Record<string, string | number | boolean | undefined | Array<string | number>>;
  headers?: Record<string, string>;
  /** JSON-serialisable value, or a prepared body (Buffer, string, FormData, stream). */
  json?: unknown;
  body?: Dispatcher.DispatchOptions['body'];
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/**
 * One keep-alive undici Pool per base URL. Measured cheaper in CPU per call than global fetch
 * (see ARCHITECTURE.md); every failure comes back as a classified RemoteError value.
 */
export class HttpClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  readonly origin: string;

  constructor(
    baseUrl: string,
    private readonly opts: { name: string; connections?: number; timeoutMs?: number; now?: () => number } = {
      name: 'http',
    },
  ) {
    const u = new URL(baseUrl);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.pool = new Pool(u.origin, { connections: opts.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  buildPath(req: Pick<HttpRequest, 'path' | 'query'>): string {
    let p = this.basePath + req.path;
    if (req.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) {
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
        else qs.append(k, String(v));
      }
      const s = qs.toString();
      if (s) p += `?${s}`;
    }
    return p;
  }

  private where(req: HttpRequest): string {
    return `${this.opts.name} ${req.method} ${req.path}`;
  }

  private async dispatch(req: HttpRequest): Promise<Result<Dispatcher.ResponseData>> {
    const headers: Record<string, string> = { ...req.headers };
    let body = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const timeout = req.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
    // A job stopped (deadline, lease lost, shutdown) sends nothing more: another worker may hold it now.
    // A write also checks the job's lease first: one that went to another worker makes no further change.
    const stopped = READ_METHODS.has(req.method.toUpperCase()) ? jobStopped() : await mayWrite();
    if (stopped)
      return err({ code: 'job_stopped', retryable: true, detail: `${this.where(req)}: not sent: ${stopped}` });
    const signal = currentJobSignal();
    try {
      const res = await this.pool.request({
        method: req.method,
        path: this.buildPath(req),
        headers,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(signal ? { signal } : {}),
      });
      return ok(res);
    } catch (e) {
      if (signal?.aborted)
        return err({
          code: 'job_stopped',
          retryable: true,
          ambiguous: true,
          detail: `${this.where(req)}: cut off: ${jobStopped()}`,
        });
      const code = (e as { code?: string }).code ?? 'network_error';
      return err(classifyHttpFailure({ networkCode: code }, this.where(req), this.now()));
    }
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** JSON request: 2xx → parsed body; anything else → classified error (remote code/message pulled from the body). */
  async json<T>(
    req: HttpRequest,
    extractRemote?: (body: unknown) => { code?: string; message?: string },
  ): Promise<Result<HttpResponse<T>>> {
    const r = await this.dispatch(req);
    if (!r.ok) return r;
    const res = r.value;
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'network_error';
      return err(classifyHttpFailure({ networkCode: code }, this.where(req), this.now()));
    }
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 300) {
          // A 2xx was applied even if its answer is unreadable (a proxy's page, a cut body): ambiguous.
          return err({
            code: 'bad_response',
            retryable: true,
            ambiguous: true,
            status: res.statusCode,
            detail: `${this.where(req)}: response is not JSON (${text.slice(0, 80)})`,
          });
        }
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300)
      return ok({ status: res.statusCode, headers: res.headers, data: parsed as T });
    const remote = parsed !== undefined && extractRemote ? extractRemote(parsed) : {};
    return err(
      classifyHttpFailure(
        {
          status: res.statusCode,
          headers: res.headers,
          remoteCode: remote.code,
          remoteMessage: remote.message ?? (parsed === undefined ? text.slice(0, 200) : undefined),
        },
        this.where(req),
        this.now(),
      ),
    );
  }

  /** Streamed response for downloads: the caller must consume or destroy `body`. Non-2xx is drained and classified. */
  async stream(req: HttpRequest): Promise<Result<StreamResponse>> {
    const r = await this.dispatch(req);
    if (!r.ok) return r;
    const res = r.value;
    if (res.statusCode >= 200 && res.statusCode < 300)
      return ok({ status: res.statusCode, headers: res.headers, body: res.body });
    const text = await res.body.text().catch(() => '');
    return err(
      classifyHttpFailure(
        { status: res.statusCode, headers: res.headers, remoteMessage: text.slice(0, 200) },
        this.where(req),
        this.now(),
      ),
    );
  }

  /** Close gracefully; requests still pending after `graceMs` are cut off (a remote that never answers must not hold a shutdown). */
  async close(graceMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closed = this.pool.close().then(() => true);
    const ok = await Promise.race([closed, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!ok) await this.pool.destroy().catch(() => undefined);
  }
}
