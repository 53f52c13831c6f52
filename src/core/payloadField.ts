/**
 * A string field of a value whose shape is not known here (a stored job payload read by the engine, the
 * timeline or the bulk-change guard, which serve every kind), or null. Narrowed, never cast.
 */
export function stringField(value: unknown, name: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const v: unknown = Reflect.get(value, name);
  return typeof v === 'string' ? v : null;
}
