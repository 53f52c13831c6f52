/**
 * Two-way field sync, decided purely. Each synced field remembers, per side, the last value we know
 * that side holds and the source time of that value (`SideMemory`). From that:
 * - an echo (the side reports exactly what we wrote to it) costs nothing;
 * - an older change than the one we already applied is ignored (ordering by the change's own time);
 * - a change on one side is copied to the other when the direction allows it;
 * - when both sides changed since they last agreed, the owner side wins, then the later change.
 */

import { mayWriteTo as allowed, type Direction, type Side } from './editDirection.ts';

export type { Direction, Side };

export interface SideMemory {
  /** Hash (or plain value) we last saw or wrote on this side. */
  value: string;
  /** Source time of that value, ms. */
  at: number;
}

export interface FieldPolicy {
  owner: Side;
  direction: Direction;
}

export interface FieldChange {
  side: Side;
  value: string;
  at: number;
}

export type FieldDecision =
  /**
   * Nothing to write. For an echo, the side's memory moves to the change's time (`remember`) so that an
   * older change still in flight is recognised as stale when it arrives.
   */
  | { action: 'ignore'; reason: 'echo' | 'stale' | 'unchanged' | 'direction'; remember?: SideMemory }
  | { action: 'copy'; to: Side; value: string; at: number }
  /** Both sides moved: the winner's value goes to the loser (which may be the side that just changed). */
  | { action: 'resolve_conflict'; winner: Side; to: Side; value: string; at: number; loserValue: string };

const other = (s: Side): Side => (s === 'clickup' ? 'tradinggrid' : 'clickup');

/**
 * Decide what one reported change means. `memory` holds what each side had when we last synced it;
 * `agreed` is the value both sides held after the last successful sync (null before the first).
 */
export function decideFieldChange(
  change: FieldChange,
  memory: Partial<Record<Side, SideMemory>>,
  agreed: string | null,
  policy: FieldPolicy,
): FieldDecision {
  const mine = memory[change.side];
  if (mine && change.at < mine.at) return { action: 'ignore', reason: 'stale' };
  if (mine && mine.value === change.value) {
    return mine.at === change.at
      ? { action: 'ignore', reason: 'unchanged' }
      : { action: 'ignore', reason: 'echo', remember: { value: change.value, at: change.at } };
  }
  const to = other(change.side);
  const theirs = memory[to];
  const otherMoved = agreed !== null && theirs !== undefined && theirs.value !== agreed;
  if (otherMoved && theirs.value !== change.value) {
    // Concurrent edits. Owner first; if the owner is the side reporting, it wins outright.
    const winner = policy.owner;
    const loser = other(winner);
    const winnerValue = winner === change.side ? change.value : theirs.value;
    const loserValue = winner === change.side ? theirs.value : change.value;
    if (!allowed(policy.direction, loser) && policy.direction !== 'none') {
      // The direction forbids writing to the loser: fall back to time so both still converge where allowed.
      const later = change.at >= theirs.at ? change.side : to;
      if (later === change.side && allowed(policy.direction, to))
        return { action: 'copy', to, value: change.value, at: change.at };
      return { action: 'ignore', reason: 'direction' };
    }
    if (policy.direction === 'none') return { action: 'ignore', reason: 'direction' };
    return {
      action: 'resolve_conflict',
      winner,
      to: loser,
      value: winnerValue,
      at: Math.max(change.at, theirs.at),
      loserValue,
    };
  }
  const remember = { value: change.value, at: change.at };
  if (theirs && theirs.value === change.value) return { action: 'ignore', reason: 'unchanged', remember };
  if (!allowed(policy.direction, to)) return { action: 'ignore', reason: 'direction', remember };
  return { action: 'copy', to, value: change.value, at: change.at };
}
