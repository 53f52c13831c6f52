/**
 * Edits of a linked case's fields, both ways, decided purely: which synced fields an edit changed, and per
 * field whether the change crosses to the other side. Each synced field (a task field or a mapped custom
 * field, by key) remembers per side the last value we know that side holds and its source time, and the
 * value both sides agreed on after the last sync:
 * - an echo (the side reports what we wrote to it) or an older change than the one already applied costs nothing;
 * - a change crosses only where the field's direction lets the bridge write the other side;
 * - when both sides changed since they last agreed, the newer change wins (the owner on a tie): a newer ClickUp
 *   edit is never overwritten by an older partner edit that arrives after it, and the other way round.
 */

import { decideEditDirection, mayWriteTo, type Direction, type Side } from './editDirection.ts';

export interface Held {
  /** The value (canonical string: JSON of the value as the field's key compares it). */
  value: string;
  /** Source time of that value, ms. */
  at: number;
}

export interface EditMemory {
  clickup?: Held;
  tradinggrid?: Held;
  agreed?: Held;
}

export interface EditPolicy {
  owner: Side;
  direction: Direction;
}

export type EditDecision =
  /** Nothing to write; `remember` moves the reporting side's memory (an edit that stays on its side is still known). */
  | {
      action: 'ignore';
      reason: 'stale' | 'echo' | 'unchanged' | 'direction';
      remember?: Held;
      /** Direction: the sentence that says why the edit stays where it is. */
      why?: string;
    }
  | { action: 'copy'; to: Side; value: string; at: number }
  /** Both sides moved; the reporting side's change is the newer (or the owner's on a tie) and goes over. */
  | { action: 'conflict_won'; to: Side; value: string; at: number; loserValue: string }
  /** Both sides moved; the other side's change is newer (or the owner's on a tie): it stays, nothing is written. */
  | { action: 'conflict_lost'; winner: Side; winnerValue: string; remember: Held };

const other = (s: Side): Side => (s === 'clickup' ? 'tradinggrid' : 'clickup');

/** The keys whose value differs between two views of the same fields (a key only one side has counts as changed). */
export function changedFields(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/**
 * Decide one edit of one field. `baseline` is the value both sides held before this edit when the memory has no
 * agreed value yet (a task made before field edits were remembered): the field's value before the edit.
 */
export function decideFieldEdit(
  change: { side: Side; value: string; at: number },
  memory: EditMemory,
  baseline: string | null,
  policy: EditPolicy,
): EditDecision {
  const mine = memory[change.side];
  if (mine && change.at < mine.at) return { action: 'ignore', reason: 'stale' };
  const remember = { value: change.value, at: change.at };
  if (mine && mine.value === change.value)
    return mine.at === change.at
      ? { action: 'ignore', reason: 'unchanged' }
      : { action: 'ignore', reason: 'echo', remember };
  const to = other(change.side);
  const theirs = memory[to];
  const agreed = memory.agreed?.value ?? baseline;
  if (theirs && theirs.value === change.value) return { action: 'ignore', reason: 'unchanged', remember };
  const otherMoved = theirs !== undefined && agreed !== null && theirs.value !== agreed;
  if (otherMoved) {
    const winner = change.at > theirs.at ? change.side : change.at < theirs.at ? to : policy.owner;
    if (winner !== change.side) return { action: 'conflict_lost', winner, winnerValue: theirs.value, remember };
    if (!mayWriteTo(policy.direction, to))
      return { action: 'ignore', reason: 'direction', remember, why: directionWhy(policy, change.side) };
    return { action: 'conflict_won', to, value: change.value, at: change.at, loserValue: theirs.value };
  }
  if (!mayWriteTo(policy.direction, to))
    return { action: 'ignore', reason: 'direction', remember, why: directionWhy(policy, change.side) };
  return { action: 'copy', to, value: change.value, at: change.at };
}

function directionWhy(policy: EditPolicy, from: Side): string {
  const v = decideEditDirection(policy.direction, from);
  return v.cross ? '' : v.reason;
}
