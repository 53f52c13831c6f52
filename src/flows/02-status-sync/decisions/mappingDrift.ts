/**
 * What the mapping expects of a ClickUp list against what the list has now: a status, custom field or
 * drop-down option renamed or deleted in ClickUp while the bridge runs. Pure: the caller reads the list.
 */

/** The names the config writes on a list. `mapping`: the config key that names it (shown to the operator). */
export interface ExpectedNames {
  statuses: ReadonlyArray<{ name: string; mapping: string }>;
  fields: ReadonlyArray<{ name: string; mapping: string; options?: readonly string[] }>;
}

export interface ListNow {
  listId: string;
  statuses: readonly string[];
  fields: ReadonlyArray<{ name: string; type: string; options: readonly string[] }>;
}

export interface Drift {
  listId: string;
  what: 'status' | 'field' | 'option';
  /** The status, field or option name the mapping expects. */
  name: string;
  /** For an option: the field it belongs to. */
  field?: string;
  mapping: string;
  /** One sentence for the console, doctor and the held change. */
  reason: string;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Every name the mapping expects that the list lacks, each with what to do. */
export function mappingDrift(expected: ExpectedNames, list: ListNow): Drift[] {
  const out: Drift[] = [];
  const statuses = new Set(list.statuses.map(norm));
  const seen = new Set<string>();
  for (const s of expected.statuses) {
    if (statuses.has(norm(s.name)) || seen.has(norm(s.name))) continue;
    seen.add(norm(s.name));
    out.push({
      listId: list.listId,
      what: 'status',
      name: s.name,
      mapping: s.mapping,
      reason: `list ${list.listId} has no status "${s.name}" (${s.mapping} expects it; renamed or deleted in ClickUp?); its statuses: ${list.statuses.join(', ')}. Rename it back, or fix ${s.mapping}`,
    });
  }
  for (const f of expected.fields) {
    const have = list.fields.find((x) => norm(x.name) === norm(f.name));
    if (!have) {
      out.push({
        listId: list.listId,
        what: 'field',
        name: f.name,
        mapping: f.mapping,
        reason: `list ${list.listId} has no custom field "${f.name}" (${f.mapping} expects it; renamed or deleted in ClickUp?); fields there: ${list.fields.map((x) => x.name).join(', ') || 'none'}. Rename it back, or fix ${f.mapping}`,
      });
      continue;
    }
    if (have.type !== 'drop_down' && have.type !== 'labels') continue;
    const options = new Set(have.options.map(norm));
    for (const o of f.options ?? []) {
      if (options.has(norm(o))) continue;
      out.push({
        listId: list.listId,
        what: 'option',
        name: o,
        field: f.name,
        mapping: f.mapping,
        reason: `field "${f.name}" on list ${list.listId} has no option "${o}" (${f.mapping} expects it; renamed or deleted in ClickUp?); its options: ${have.options.join(', ')}. Rename it back, or fix ${f.mapping}`,
      });
    }
  }
  return out;
}

/** The drift that stops a write of this status on this list, if any. */
export function statusDrift(drift: readonly Drift[], listId: string, status: string): Drift | null {
  return drift.find((d) => d.listId === listId && d.what === 'status' && norm(d.name) === norm(status)) ?? null;
}

/** The drift that stops a task's custom fields on this list (a field or option it writes), if any. */
export function fieldDrift(drift: readonly Drift[], listId: string, written: Record<string, unknown>): Drift | null {
  const values = new Set(Object.values(written).map((v) => norm(String(v))));
  return (
    drift.find(
      (d) => d.listId === listId && (d.what === 'field' || (d.what === 'option' && values.has(norm(d.name)))),
    ) ?? null
  );
}

/**
 * Which lists the scheduled check reads now. Each read costs two ClickUp calls a list, so a healthy list is
 * read every `everyMs` only; a list with findings is read at every check, so a fix releases its held
 * changes within a check; the first check of a process reads them all (a restart may follow a config fix).
 */
export function listsDue(
  lists: readonly string[],
  health: { checked: Readonly<Record<string, number>>; drift: ReadonlyArray<Pick<Drift, 'listId'>> },
  now: number,
  everyMs: number,
  firstInProcess: boolean,
): string[] {
  if (firstInProcess) return [...lists];
  const drifting = new Set(health.drift.map((d) => d.listId));
  return lists.filter((id) => {
    const last = health.checked[id];
    return drifting.has(id) || last === undefined || now - last >= everyMs;
  });
}
