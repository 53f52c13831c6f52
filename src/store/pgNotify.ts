import type { Client as PgClient, ClientConfig } from 'pg';

type ClientCtor = new (config: ClientConfig) => PgClient;

/**
 * LISTEN on `channel` over a dedicated connection (a pooled one would be handed to other queries).
 * A dropped connection is re-opened after a short pause, and `onNotify` is called once then, since a
 * NOTIFY may have been missed meanwhile. Resolves once the first LISTEN is in place.
 */
export async function subscribePg(
  Client: ClientCtor,
  url: string,
  channel: string,
  onNotify: () => void,
): Promise<() => Promise<void>> {
  let closed = false;
  let client: PgClient | null = null;
  let retry: NodeJS.Timeout | null = null;
  const ident = `"${channel.replace(/"/g, '""')}"`;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: url });
    c.on('notification', (m) => {
      if (m.channel === channel) onNotify();
    });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    await c.connect();
    await c.query(`LISTEN ${ident}`);
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
  };

  const reconnect = (c: PgClient) => {
    if (closed || client !== c || retry) return;
    client = null;
    void c.end().catch(() => undefined);
    const attempt = () => {
      retry = null;
      if (closed) return;
      connect().then(onNotify, () => {
        retry = setTimeout(attempt, 1000);
        retry.unref();
      });
    };
    retry = setTimeout(attempt, 200);
    retry.unref();
  };

  await connect();
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}
