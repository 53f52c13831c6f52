/**
 * The bulk-change guard, decided purely: one person making more partner-visible changes than `max` within
 * `windowMs` is more likely a mistake (300 tasks moved to "resolved") than 300 decisions. The changes
 * past the limit are held until an admin releases or drops them; the ones before it already went.
 */

export interface BulkGuardConfig {
  /** Changes by one person within the window that go out on their own; 0 turns the guard off. */
  max: number;
  windowMs: number;
}

/**
 * Job kinds whose effect the partner sees, when a person's change queued them: case statuses, comments and
 * files (flows 2, 3), approval decisions and comments after them (flow 6), a partner status moved by a
 * finished onboarding milestone (flow 4), and a rollout notice started from a marker task (flow 8).
 */
export const PARTNER_VISIBLE_JOB_KINDS: ReadonlySet<string> = new Set([
  'tradinggrid.set_status',
  'tradinggrid.set_case_fields',
  'tradinggrid.add_comment',
  'tradinggrid.upload_document',
  'approval.post_decision',
  'approval.post_comment',
  'onboarding.set_partner_status',
  'rollout.start',
]);

/** The record a held change is audited on, from its job (the console links it). */
export function heldEntityOf(kind: string, payload: unknown): { entity: string; id: string } {
  const p = (payload ?? {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  if (kind.startsWith('approval.')) return { entity: 'approval', id: s(p.requestId) };
  if (kind.startsWith('onboarding.')) return { entity: 'onboarding', id: s(p.partnerId) };
  if (kind.startsWith('rollout.')) return { entity: 'rollout', id: s(p.rolloutId) };
  if (kind.startsWith('group.')) {
    const plan = (p.plan ?? {}) as Record<string, unknown>;
    return { entity: s(plan.entity), id: s(plan.groupId) };
  }
  // A ClickUp change held for the mapping carries what it is about (its payload is otherwise ClickUp's).
  if (kind === 'cu.event') {
    const on = (p.held_for ?? {}) as Record<string, unknown>;
    return on.entity ? { entity: s(on.entity), id: s(on.id) } : { entity: 'clickup_task', id: s(p.task_id) };
  }
  return { entity: 'case', id: s(p.caseId) };
}

export type GuardVerdict = { hold: false } | { hold: true; reason: string };

/** `recent`: this person's partner-visible changes already counted in the window (sent or held). */
export function decideBulkHold(recent: number, g: BulkGuardConfig, actor: string): GuardVerdict {
  if (g.max <= 0 || recent < g.max) return { hold: false };
  const minutes = Math.round(g.windowMs / 60_000);
  return {
    hold: true,
    reason: `${actor} made more than ${g.max} partner-visible changes in ${minutes} minute(s): held until an admin releases or drops them`,
  };
}
