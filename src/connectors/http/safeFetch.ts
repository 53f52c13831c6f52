import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { Agent, buildConnector, request } from 'undici';
import { err, ok, type Result } from '../../core/result.ts';
import { classifyHttpFailure } from './decideRetry.ts';
import { blockedAddressReason, hostAllowed } from './ssrfGuard.ts';

/** One resolved address (as `dns.lookup(..., {all: true})` gives them). */
export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface SafeFetchOptions {
  /** Hosts that may be fetched (exact or `*.example.com`); every redirect hop is checked again. */
  allowedHosts: readonly string[];
  /** Reach loopback/private addresses too: only for sandboxes on 127.0.0.1 (config clickup.allow_private_addresses). */
  allowPrivateAddresses?: boolean;
  /** Plain http:// is refused unless this is set (sandboxes). */
  allowHttp?: boolean;
  maxRedirects?: number;
  /** Refused when Content-Length says more; the body stream errors once more arrives. */
  maxBytes?: number;
  /** Media types accepted (`application/pdf`); empty or absent: any. A missing type counts as application/octet-stream. */
  contentTypes?: readonly string[];
  /** Time to the response headers, and between body chunks. */
  timeoutMs?: number;
  /** Whole exchange including the body, from the first request to the last byte. */
  totalTimeoutMs?: number;
  headers?: Record<string, string>;
  /** A POST with this body instead of a GET (AS2 messages and MDNs); a redirect answer to it is not followed. */
  post?: Buffer;
  /** An extra CA to trust (tests serving a real host name with a test certificate); default the system's. */
  tlsCa?: string | Buffer;
  /** Name resolution (tests inject one); default the system resolver. */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
  /**
   * Tests only (no caller in src/ sets it): the address the socket dials in place of an address that passed
   * the checks, so a test can show a public address let through and serve it from a loopback server. The
   * checks, and `address` in the answer, see the real address; without it the checked address is dialled.
   */
  dialInstead?: (checked: string) => string;
  now?: () => number;
}

export interface SafeFetchResponse {
  status: number;
  /** URL finally fetched, after redirects. */
  url: string;
  /** The address the connection went to (the one checked). */
  address: string | null;
  contentType: string;
  contentLength: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or destroyed by the caller. */
  body: Readable;
}

const systemResolve = (host: string): Promise<ResolvedAddress[]> =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (e, addrs) => (e ? reject(e) : resolve(addrs))),
  );

class BlockedAddress extends Error {
  readonly code = 'EGB_BLOCKED_ADDRESS';
}

const refuse = (code: string, detail: string, retryable = false): Result<never> =>
  err({ code, retryable, detail: `safeFetch: ${detail}` });

/**
 * A lookup that resolves once, refuses the connection when any address is not public (unless allowed),
 * and hands exactly the checked addresses to the socket: the connection is pinned to what was checked,
 * so a DNS answer that changes between a check and the connect (rebinding) cannot reach a private address.
 */
function guardedLookup(o: SafeFetchOptions, seen: { address: string | null }): LookupFunction {
  const resolve = o.resolve ?? systemResolve;
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (e: NodeJS.ErrnoException | null, a: string | ResolvedAddress[], f?: number) => void,
  ) => {
    resolve(hostname).then(
      (addrs) => {
        if (addrs.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (!o.allowPrivateAddresses) {
          for (const a of addrs) {
            const why = blockedAddressReason(a.address);
            if (why) return callback(new BlockedAddress(`${hostname} resolves to ${why}`), '', 0);
          }
        }
        seen.address = addrs[0]!.address;
        if (options.all) callback(null, addrs);
        else callback(null, addrs[0]!.address, addrs[0]!.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, '', 0),
    );
  };
}

/**
 * The connector of `dialInstead` (tests): the same lookup, checks and pinning, then the socket dials the
 * substitute of the checked address. A name is substituted in what the guarded lookup hands the socket; an IP
 * literal, which the socket connects to without a lookup (checked in safeFetch), in the host dialled.
 */
function divertedConnector(
  options: { lookup: LookupFunction; timeout: number; ca?: string | Buffer },
  dialInstead: (checked: string) => string,
): buildConnector.connector {
  const substitute = (a: string) => {
    const address = dialInstead(a);
    return { address, family: isIP(address) };
  };
  const lookup: LookupFunction = (hostname, lookupOptions, callback) =>
    options.lookup(hostname, lookupOptions, (e, a, family) => {
      if (e) return callback(e, a, family);
      if (typeof a !== 'string') {
        const all = a.map((x) => substitute(x.address));
        return callback(null, all);
      }
      const s = substitute(a);
      callback(null, s.address, s.family);
    });
  const connect = buildConnector({ ...options, lookup });
  return (opts, callback) =>
    connect(isIP(opts.hostname) ? { ...opts, hostname: dialInstead(opts.hostname) } : opts, callback);
}

/** Code of the stream error raised when a body passes `maxBytes` (readers report it as "too large", not as a network failure). */
export const BODY_TOO_LARGE = 'EGB_TOO_LARGE';

/** A pass-through that errors the stream, without handing on the chunk, once more than `max` bytes arrived. */
function byteLimiter(max: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      size += chunk.length;
      if (size > max)
        callback(Object.assign(new Error(`file is larger than the ${max}-byte limit`), { code: BODY_TOO_LARGE }));
      else callback(null, chunk);
    },
  });
}

function mediaType(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return (v ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';
}

/**
 * GET a URL taken from untrusted input (an attachment link in a webhook). Every hop: https only (unless
 * allowHttp), host on the allow-list, resolved address public (unless allowPrivateAddresses) and pinned
 * for the connection; at most `maxRedirects` redirects; Content-Length and streamed size capped; time
 * limits on headers, between chunks and overall; media type on the allow-list. Failures are values.
 */
export async function safeFetch(url: string, o: SafeFetchOptions): Promise<Result<SafeFetchResponse>> {
  const maxRedirects = o.maxRedirects ?? 3;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(o.totalTimeoutMs ?? 120_000);
  const now = o.now ?? Date.now;
  const method = o.post ? 'POST' : 'GET';
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return refuse('http:bad_url', `not a URL: ${url.slice(0, 100)}`);
  }
  for (let hop = 0; ; hop++) {
    const where = `${method} ${current.origin}${current.pathname}`;
    if (current.protocol !== 'https:' && !(o.allowHttp && current.protocol === 'http:'))
      return refuse('http:scheme_not_allowed', `${current.protocol} URLs are not fetched (${where})`);
    if (current.username || current.password)
      return refuse('http:bad_url', `URLs with credentials are not fetched (${current.origin})`);
    const host = current.hostname.replace(/^\[|\]$/g, '');
    if (!hostAllowed(host, o.allowedHosts))
      return refuse('http:host_not_allowed', `host ${host} is not an allowed host`);
    if (isIP(host) && !o.allowPrivateAddresses) {
      // An IP literal is connected to without a lookup: check it here.
      const why = blockedAddressReason(host);
      if (why) return refuse('http:address_blocked', `${why} (${where})`);
    }
    const seen = { address: isIP(host) ? host : null };
    const connect = { lookup: guardedLookup(o, seen), timeout: timeoutMs, ...(o.tlsCa ? { ca: o.tlsCa } : {}) };
    // One agent per hop, closed with the body: no pooled connection is reused for another host or answer.
    const agent = new Agent({
      connect: o.dialInstead ? divertedConnector(connect, o.dialInstead) : connect,
      keepAliveTimeout: 1,
      connections: 1,
    });
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(current, {
        method,
        ...(o.post ? { body: o.post } : {}),
        dispatcher: agent,
        headers: { 'user-agent': 'gridbridge', ...o.headers },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal,
      });
    } catch (e) {
      await agent.close().catch(() => undefined);
      const cause = (e as { cause?: unknown }).cause ?? e;
      if (e instanceof BlockedAddress || cause instanceof BlockedAddress)
        return refuse('http:address_blocked', `${(cause as Error).message} (${where})`);
      if (signal.aborted)
        return refuse('http:timeout', `no complete answer within ${o.totalTimeoutMs ?? 120_000} ms (${where})`, true);
      return err(
        classifyHttpFailure(
          { networkCode: (e as { code?: string }).code ?? 'network_error' },
          `safeFetch ${where}`,
          now(),
        ),
      );
    }
    const closeAgent = () => void agent.close().catch(() => undefined);
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location !== undefined) {
      res.body.resume();
      res.body.once('close', closeAgent);
      res.body.once('end', closeAgent);
      // An AS2 message or MDN is posted to the one URL configured or asked for: a redirect is not followed.
      if (o.post)
        return refuse(
          'http:redirect_not_followed',
          `the ${res.statusCode} answer to a POST is not followed (${where})`,
        );
      if (hop >= maxRedirects)
        return refuse('http:too_many_redirects', `more than ${maxRedirects} redirects (last ${where})`);
      const loc = Array.isArray(res.headers.location) ? res.headers.location[0]! : res.headers.location;
      try {
        current = new URL(loc, current);
      } catch {
        return refuse('http:bad_redirect', `redirect to an invalid location (${where})`);
      }
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => '');
      closeAgent();
      return err(
        classifyHttpFailure(
          { status: res.statusCode, headers: res.headers, remoteMessage: text.slice(0, 200) },
          `safeFetch ${where}`,
          now(),
        ),
      );
    }
    const type = mediaType(res.headers['content-type']);
    const clHeader = res.headers['content-length'];
    const contentLength = clHeader !== undefined ? Number(Array.isArray(clHeader) ? clHeader[0] : clHeader) : undefined;
    const drop = (r: Result<never>) => {
      res.body.on('error', () => undefined); // undici reports its own abort as an error event
      res.body.destroy();
      closeAgent();
      return r;
    };
    if (o.contentTypes && o.contentTypes.length > 0 && !o.contentTypes.map((t) => t.toLowerCase()).includes(type)) {
      return drop(refuse('http:content_type_not_allowed', `content type ${type} is not on the allow-list (${where})`));
    }
    if (o.maxBytes !== undefined && contentLength !== undefined && contentLength > o.maxBytes) {
      return drop(refuse('http:too_large', `${contentLength} bytes is over the ${o.maxBytes}-byte limit (${where})`));
    }
    let body: Readable = res.body;
    if (o.maxBytes !== undefined) {
      const limiter = byteLimiter(o.maxBytes);
      res.body.on('error', (e) => limiter.destroy(e));
      limiter.once('close', () => res.body.destroy());
      body = res.body.pipe(limiter);
    }
    body.once('close', closeAgent);
    return ok({
      status: res.statusCode,
      url: current.toString(),
      address: seen.address,
      contentType: type,
      contentLength,
      headers: res.headers,
      body,
    });
  }
}
