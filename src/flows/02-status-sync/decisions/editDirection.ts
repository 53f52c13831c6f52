/**
 * Which way an edit of a mapped field may travel, from the mapping's direction alone. One answer for
 * every place that copies a value across (a status moved in ClickUp, a partner-side change, the first
 * status a new task sends): a field mapped Trading Grid → ClickUp only is never written to Trading Grid,
 * and a ClickUp → Trading Grid field is never overwritten from Trading Grid.
 */

export type Side = 'clickup' | 'tradinggrid';
export type Direction = 'to_clickup' | 'to_tradinggrid' | 'both' | 'none';

/** Whether the mapping lets the bridge write this field on side `to`. */
export function mayWriteTo(direction: Direction, to: Side): boolean {
  return (
    direction === 'both' ||
    (direction === 'to_clickup' && to === 'clickup') ||
    (direction === 'to_tradinggrid' && to === 'tradinggrid')
  );
}

export type EditVerdict = { cross: true; to: Side } | { cross: false; reason: string };

/** An edit made on side `from`: whether it reaches the other side, and if not, the sentence that says why. */
export function decideEditDirection(direction: Direction, from: Side): EditVerdict {
  const to: Side = from === 'clickup' ? 'tradinggrid' : 'clickup';
  if (mayWriteTo(direction, to)) return { cross: true, to };
  const name = (s: Side) => (s === 'clickup' ? 'ClickUp' : 'Trading Grid');
  return {
    cross: false,
    reason:
      direction === 'none'
        ? 'the mapping syncs this field neither way (direction none)'
        : `the mapping goes ${name(from === 'clickup' ? 'tradinggrid' : 'clickup')} → ${name(from)} only (direction ${direction}): an edit in ${name(from)} stays there`,
  };
}
