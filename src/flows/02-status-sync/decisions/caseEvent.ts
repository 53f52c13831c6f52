/**
 * A `case.updated` event is flow 2's way back when the case is linked, the event carries the status, and
 * nothing but the status changed (an event that does not say what changed counts as a status change).
 * Anything else is read again by the intake (flow 1).
 */
export function isStatusOnlyUpdate(e: {
  linked: boolean;
  status: string | undefined;
  changed: readonly string[] | undefined;
}): boolean {
  if (!e.linked || !e.status) return false;
  return !e.changed || e.changed.every((f) => f === 'status' || f === 'updated_at');
}
