import { randomBytes } from 'node:crypto';

/**
 * The MIME that AS2 needs (RFC 2045/2046/1767), on bytes: signatures and MICs are computed over the exact
 * bytes of a part, so nothing here re-serialises what it parsed.
 */
export interface MimeEntity {
  /** Header names lower-cased, folded lines unfolded; the first occurrence of a name wins. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface ContentType {
  /** `type/subtype`, lower-cased. */
  mediaType: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

/** Splits an entity at its first empty line (CRLF CRLF, or LF LF from tools that write bare LF). */
export function parseEntity(raw: Buffer): MimeEntity {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  let headEnd: number;
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headEnd = crlf;
    bodyStart = crlf + 4;
  } else if (lf >= 0) {
    headEnd = lf;
    bodyStart = lf + 2;
  } else {
    headEnd = raw.length;
    bodyStart = raw.length;
  }
  // A part may start straight with its body (no headers): then the first line is blank.
  if (raw[0] === 0x0a || (raw[0] === 0x0d && raw[1] === 0x0a)) {
    headEnd = 0;
    bodyStart = raw[0] === 0x0a ? 1 : 2;
  }
  return { headers: parseHeaders(raw.subarray(0, headEnd).toString('latin1')), body: raw.subarray(bodyStart) };
}

export function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
  }
  return headers;
}

/** Headers and body as canonical bytes (CRLF line ends in the header block). */
export function serializeEntity(headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Buffer {
  const head = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { mediaType: 'text/plain', params: {} };
  const [first, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i <= 0) continue;
    let v = p.slice(i + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, i).trim().toLowerCase()] = v;
  }
  return { mediaType: (first ?? '').trim().toLowerCase(), params };
}

/** `a; b="x;y"; c` → ['a', 'b="x;y"', 'c']: semicolons inside quotes do not split. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && quoted && i + 1 < value.length) {
      cur += ch + value[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * The body parts of a multipart body, each exactly as it stands between its delimiters (RFC 2046 §5.1.1: the
 * line break before a delimiter belongs to the delimiter). Null when the closing delimiter is missing.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] | null {
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const starts: { at: number; contentStart: number; close: boolean }[] = [];
  let from = 0;
  for (;;) {
    const at = body.indexOf(delim, from);
    if (at < 0) break;
    from = at + delim.length;
    if (at !== 0 && body[at - 1] !== 0x0a) continue;
    const close = body[from] === 0x2d && body[from + 1] === 0x2d;
    const eol = body.indexOf('\n', from);
    starts.push({ at, contentStart: eol < 0 ? body.length : eol + 1, close });
    if (close) break;
  }
  if (starts.length < 2 || !starts[starts.length - 1]!.close) return null;
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    let end = starts[i + 1]!.at;
    if (end > 0 && body[end - 1] === 0x0a) end--;
    if (end > 0 && body[end - 1] === 0x0d) end--;
    parts.push(body.subarray(starts[i]!.contentStart, Math.max(end, starts[i]!.contentStart)));
  }
  return parts;
}

/** A part's body decoded per its Content-Transfer-Encoding (base64, or binary/7bit/8bit as-is). */
export function decodedBody(entity: MimeEntity): Buffer {
  const cte = (entity.headers.get('content-transfer-encoding') ?? 'binary').toLowerCase();
  if (cte === 'base64') return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  return entity.body;
}

/** A body that is base64 text (what `openssl cms` and many AS2 products send for S/MIME parts) or DER. */
export function derOrBase64(entity: MimeEntity): Buffer {
  const b = decodedBody(entity);
  if (b.length > 0 && b[0] === 0x30) return b;
  const text = b.toString('latin1');
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return Buffer.from(text.replace(/\s/g, ''), 'base64');
  return b;
}

export function newBoundary(): string {
  return `----=_gridbridge_${randomBytes(12).toString('hex')}`;
}

/** Base64 in 76-character lines, CRLF-separated. */
export function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A header parameter value quoted when it needs it. */
export function quoteParam(v: string): string {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}
