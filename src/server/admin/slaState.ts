/** Where a case stands against its due date. At risk: open with under a quarter of its window left. */
export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'met' | 'missed' | 'none';

export function slaState(
  c: { openedAt: number; slaDueAt: number | null; resolvedAt: number | null },
  now: number,
): SlaState {
  if (c.slaDueAt === null) return 'none';
  if (c.resolvedAt !== null) return c.resolvedAt <= c.slaDueAt ? 'met' : 'missed';
  if (now > c.slaDueAt) return 'breached';
  return (c.slaDueAt - now) * 4 <= c.slaDueAt - c.openedAt ? 'at_risk' : 'on_track';
}

/** Who answers for a case's SLA: the escalation manager once flow 5 routed it, else nobody yet. */
export function managerOf(record: object): string {
  const r = record as {
    escalation?: { manager?: string | null; assignee?: string | null } | null;
    manager?: string | null;
  };
  return r.escalation?.manager ?? r.escalation?.assignee ?? r.manager ?? '(not routed yet)';
}
