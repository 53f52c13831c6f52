/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Boundary from a `multipart/form-data; boundary=...` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function param(disposition: string, name: string): string | undefined {
  const m =
    new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ??
    new RegExp(`(?:^|;)\\s*${name}=([^;\\s]+)`, 'i').exec(disposition);
  // Browsers (and our clients) percent-encode only ", \\, CR and LF in a quoted filename (WHATWG);
  // decode exactly those, so a literal % in a name survives.
  return m?.[1]
    ?.replace(/\\(.)/g, '$1')
    .replace(/%(22|5C|0A|0D)/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Parse a whole multipart/form-data body (RFC 7578). The sandbox keeps documents in memory
 * anyway, so parsing the buffered body is simpler than a streaming parser and as fast.
 * Throws a message for a malformed body.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart body has no boundary line');
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing "--boundary--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else throw new Error(`multipart: expected CRLF after boundary at byte ${pos}`);
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error(`multipart: part headers not terminated at byte ${pos}`);
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('multipart: body ends before the closing boundary (truncated upload?)');
    const disp = headers['content-disposition'] ?? '';
    const name = param(disp, 'name');
    if (!name) throw new Error('multipart: part without a name in Content-Disposition');
    parts.push({
      name,
      filename: param(disp, 'filename'),
      contentType: headers['content-type'],
      data: body.subarray(headEnd + 4, next),
    });
    pos = next + 2;
  }
}

/** The same part type under the name the ClickUp sandbox uses. */
export type MultipartPart = FormPart;
