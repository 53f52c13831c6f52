/**
 * Where a linked task lives, from a ClickUp delivery (a task deleted or moved). A task a person
 * moves out of our lists pauses its syncing: nothing it does reaches the partner; moved back, it resumes.
 * Pure: the handler reads the link and the delivery, this decides.
 */

type Item = { field?: string; after?: unknown; parent_id?: unknown };

/** The list the delivery says the task is in now: the target of a move, else any item's `parent_id`. */
export function listOfDelivery(items: readonly Item[]): string | null {
  for (const i of items) {
    if (i.field !== 'section_moved') continue;
    const a = i.after as { id?: unknown } | null | undefined;
    if (a && (typeof a.id === 'string' || typeof a.id === 'number') && String(a.id) !== '') return String(a.id);
  }
  for (const i of items)
    if ((typeof i.parent_id === 'string' || typeof i.parent_id === 'number') && String(i.parent_id) !== '')
      return String(i.parent_id);
  return null;
}

/**
 * - `same`: in one of our lists as linked: sync as usual;
 * - `moved_out`: it just left our lists: pause (remember the list, say so once);
 * - `paused`: it is outside our lists: nothing is synced (a move between two foreign lists is remembered);
 * - `moved_within`: from one of our lists to another: remember the list, sync as usual;
 * - `moved_back`: back in one of our lists: resume (remember the list, say so once, sync its state now).
 */
export type Placement = 'same' | 'moved_out' | 'paused' | 'moved_within' | 'moved_back';

export function decidePlacement(linkedList: string, nowList: string | null, ours: ReadonlySet<string>): Placement {
  const wasOurs = ours.has(linkedList);
  if (nowList === null || nowList === linkedList) return wasOurs ? 'same' : 'paused';
  if (!ours.has(nowList)) return wasOurs ? 'moved_out' : 'paused';
  return wasOurs ? 'moved_within' : 'moved_back';
}
