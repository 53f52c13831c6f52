import type { PartnerStatus } from '../../../core/case.ts';
import { mayWriteTo, type Direction } from './editDirection.ts';

const norm = (s: string) => s.trim().toLowerCase();

/** The partner status a ClickUp status stands for, or null when the status is not mapped (not guessed). */
export function toPartnerStatus(
  clickUpStatus: string,
  map: Readonly<Record<string, PartnerStatus>>,
): PartnerStatus | null {
  const key = norm(clickUpStatus);
  for (const [name, status] of Object.entries(map)) if (norm(name) === key) return status;
  return null;
}

/** The ClickUp status to show for a partner status: the explicit way back, else the first one mapped to it. */
export function toClickUpStatus(
  status: PartnerStatus,
  map: Readonly<Record<string, PartnerStatus>>,
  back: Readonly<Partial<Record<PartnerStatus, string>>>,
): string | null {
  if (back[status]) return back[status];
  for (const [name, s] of Object.entries(map)) if (s === status) return name;
  return null;
}

/**
 * Check the status map against a list's real statuses: a mapped name the list lacks is an error; a list
 * status with no mapping is a warning (changes to it are not sent to partners).
 */
export function checkStatusMap(
  listId: string,
  map: Readonly<Record<string, PartnerStatus>>,
  back: Readonly<Partial<Record<PartnerStatus, string>>>,
  listStatuses: readonly string[],
): { errors: string[]; warnings: string[] } {
  const have = new Set(listStatuses.map(norm));
  const errors: string[] = [];
  for (const name of [...Object.keys(map), ...Object.values(back).filter((x): x is string => !!x)]) {
    if (!have.has(norm(name)))
      errors.push(
        `list ${listId} has no status "${name}" (clickup.status_map / status_to_clickup); its statuses: ${listStatuses.join(', ')}`,
      );
  }
  const mapped = new Set(Object.keys(map).map(norm));
  const warnings = listStatuses
    .filter((s) => !mapped.has(norm(s)))
    .map(
      (s) =>
        `ClickUp status "${s}" on list ${listId} is not in clickup.status_map: moving a task there is not sent to the partner`,
    );
  return { errors: [...new Set(errors)], warnings };
}

/** How far along a case is, as the partner sees it: a status never goes back to a lower rank on its own. */
const RANK: Record<PartnerStatus, number> = {
  open: 0,
  received: 1,
  in_review: 2,
  awaiting_documents: 2,
  escalated: 3,
  resolved: 4,
};

/**
 * The first day of a task for a case that may be old: the task takes the case's state (the ClickUp status
 * for what the partner sees now, unless it is still `open`), and the partner gets `onCreated` only when it
 * is a step forward from what it already sees, never the same status again nor a step back. The status
 * mapping's direction bounds both: Trading Grid → ClickUp only sends the partner nothing, ClickUp → Trading
 * Grid only leaves the new task in the list's first status.
 */
export function decideFirstStatus(input: {
  partnerSees: PartnerStatus;
  onCreated: PartnerStatus | null;
  statusMap: Readonly<Record<string, PartnerStatus>>;
  back: Readonly<Partial<Record<PartnerStatus, string>>>;
  direction: Direction;
}): { taskStatus: string | null; toPartner: PartnerStatus | null } {
  const { partnerSees, onCreated } = input;
  const taskStatus =
    partnerSees === 'open' || !mayWriteTo(input.direction, 'clickup')
      ? null
      : toClickUpStatus(partnerSees, input.statusMap, input.back);
  const toPartner =
    onCreated &&
    onCreated !== partnerSees &&
    RANK[onCreated] > RANK[partnerSees] &&
    mayWriteTo(input.direction, 'tradinggrid')
      ? onCreated
      : null;
  return { taskStatus, toPartner };
}
