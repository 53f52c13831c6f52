export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Boundary from a `multipart/form-data; boundary=...` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2])?.trim() : undefined;
}

/** Parses a complete multipart/form-data body; throws a sentence on a malformed one. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart body has no boundary line');
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing --boundary--
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('multipart part without header end');
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('multipart body not terminated');
    const data = body.subarray(headEnd + 4, next);
    const headers = new Map<string, string>();
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const disp = headers.get('content-disposition') ?? '';
    const name = /name="([^"]*)"/i.exec(disp)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = /filename="([^"]*)"/i.exec(disp)?.[1];
    parts.push({ name, filename: filename !== undefined ? decodeURIComponent(filename) : undefined, contentType: headers.get('content-type'), data: Buffer.from(data) });
    pos = next + 2;
  }
  return parts;
}
