import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { boundedKey } from '../../core/boundedKey.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** JSON with object keys sorted, so two parses of the same content compare equal whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

/**
 * Whether an event already stored under (source, eventId) carries the same content as `payload`: a
 * replayed delivery is `same`; a reused id with another body is `different` (refused by the route).
 * Read only on the duplicate path, so the hot intake path pays nothing for it.
 */
export async function compareInboundEvent(
  db: Db,
  source: string,
  eventId: string,
  payload: unknown,
): Promise<'same' | 'different' | 'missing'> {
  const row = await db
    .selectFrom('inbound_events')
    .select('payload')
    .where('source', '=', source)
    .where('event_id', '=', boundedKey(eventId))
    .executeTakeFirst();
  if (!row) return 'missing';
  let stored: unknown;
  try {
    stored = JSON.parse(row.payload);
  } catch {
    return 'different';
  }
  return canonicalJson(stored) === canonicalJson(JSON.parse(JSON.stringify(payload))) ? 'same' : 'different';
}
