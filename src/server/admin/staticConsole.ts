import { readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The console's files (src/server/console: plain HTML, CSS and ES modules, no build step), read once at
 * start-up; only those names are served, so no path from a request ever reaches the file system.
 */
export function mountStaticConsole(app: Hono, dir = fileURLToPath(new URL('../console/', import.meta.url))): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { body: readFileSync(`${dir}/${name}`), type });
  }
  const serve = (name: string) => {
    const f = files.get(name);
    if (!f) return null;
    return new Response(new Uint8Array(f.body), { headers: { 'Content-Type': f.type, 'Cache-Control': 'no-cache' } });
  };
  app.get('/ui', (c) => c.redirect('/ui/', 302));
  app.get('/ui/', () => serve('index.html')!);
  app.get(
    '/ui/:file',
    (c) => serve(c.req.param('file')) ?? c.json({ error: `no console file ${c.req.param('file')}` }, 404),
  );
}
